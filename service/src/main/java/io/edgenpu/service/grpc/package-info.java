/** The Open Inference Protocol over gRPC: unary and streaming inference, codecs. */
@NullMarked
package io.edgenpu.service.grpc;

import org.jspecify.annotations.NullMarked;
