/** NAWQ-SR serving: image decoding, per-tile precision under a quality budget. */
@NullMarked
package io.edgenpu.service.nawq;

import org.jspecify.annotations.NullMarked;
