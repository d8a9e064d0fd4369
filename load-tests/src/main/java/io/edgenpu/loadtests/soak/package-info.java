/**
 * The chaos soak: simulated devices on every transport, faults, a ledger of every request's answer.
 */
@NullMarked
package io.edgenpu.loadtests.soak;

import org.jspecify.annotations.NullMarked;
