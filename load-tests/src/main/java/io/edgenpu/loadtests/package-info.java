/**
 * Load generators and benchmark drivers: closed and open loop clients, direct ONNX Runtime
 * baselines.
 */
@NullMarked
package io.edgenpu.loadtests;

import org.jspecify.annotations.NullMarked;
