/** Device tokens for REST and gRPC, admin permissions. */
@NullMarked
package io.edgenpu.service.security;

import org.jspecify.annotations.NullMarked;
