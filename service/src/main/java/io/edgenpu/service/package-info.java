/** The Spring Boot application. */
@NullMarked
package io.edgenpu.service;

import org.jspecify.annotations.NullMarked;
