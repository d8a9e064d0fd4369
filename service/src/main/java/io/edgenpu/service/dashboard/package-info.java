/** The live dashboard and its snapshot stream. */
@NullMarked
package io.edgenpu.service.dashboard;

import org.jspecify.annotations.NullMarked;
