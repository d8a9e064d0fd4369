/** Per-client policy: rate limits, in-flight limits and fairness weights. */
@NullMarked
package io.edgenpu.service.clients;

import org.jspecify.annotations.NullMarked;
