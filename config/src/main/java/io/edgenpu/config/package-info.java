/**
 * Strict configuration reading shared by the modules: YAML maps that name file and line, durations
 * with units.
 */
@NullMarked
package io.edgenpu.config;

import org.jspecify.annotations.NullMarked;
