/** The served repository: loading, reloading and retiring model versions. */
@NullMarked
package io.edgenpu.service.repository;

import org.jspecify.annotations.NullMarked;
