/** NAWQ-SR experiments: the offline hybrid-precision search and the quality/latency results. */
@NullMarked
package io.edgenpu.experiments.nawq;

import org.jspecify.annotations.NullMarked;
