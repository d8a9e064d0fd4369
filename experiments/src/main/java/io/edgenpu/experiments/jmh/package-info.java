/** JMH benchmarks of the hot paths (scheduler decisions, cost model, codecs). */
@NullMarked
package io.edgenpu.experiments.jmh;

import org.jspecify.annotations.NullMarked;
