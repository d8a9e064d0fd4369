/** Inference streams over WebSocket. */
@NullMarked
package io.edgenpu.service.stream;

import org.jspecify.annotations.NullMarked;
