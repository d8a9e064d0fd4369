/** The transport-independent inference path: requests, answers, deadlines, statistics. */
@NullMarked
package io.edgenpu.service.inference;

import org.jspecify.annotations.NullMarked;
