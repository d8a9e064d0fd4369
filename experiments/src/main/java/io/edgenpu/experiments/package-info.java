/**
 * The experiments command line: reproductions of the papers' figures in virtual time, charts, CSV.
 */
@NullMarked
package io.edgenpu.experiments;

import org.jspecify.annotations.NullMarked;
