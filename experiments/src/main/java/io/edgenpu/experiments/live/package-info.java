/**
 * The live fluid-batching experiment's Java side: the host-vs-modelled calibration that sets the
 * live time scale, the open-loop schedules the live client replays, the simulator's prediction of
 * the same runs, and the report that sets live and simulated figures side by side.
 */
@NullMarked
package io.edgenpu.experiments.live;

import org.jspecify.annotations.NullMarked;
