/**
 * The Open Inference Protocol over HTTP, Triton's extensions, the upscale and ListOps endpoints.
 */
@NullMarked
package io.edgenpu.service.rest;

import org.jspecify.annotations.NullMarked;
