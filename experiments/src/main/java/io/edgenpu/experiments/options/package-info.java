/** Command-line options shared by the experiment commands (picocli mixins). */
@NullMarked
package io.edgenpu.experiments.options;

import org.jspecify.annotations.NullMarked;
