/** The model repository on disk: config files, versions, early-exit stages, parsed strictly. */
@NullMarked
package io.edgenpu.repository;

import org.jspecify.annotations.NullMarked;
