/*
 * Linker-script and assembly symbols as addresses Swift can use: SYMBOL_ADDRESS(fn, sym)
 * defines `uint64_t fn(void)` returning the address of `sym` (declared by the includer).
 */
#ifndef SYMBOL_ADDRESS_H
#define SYMBOL_ADDRESS_H

#include <stdint.h>

#define SYMBOL_ADDRESS(fn, sym) \
	static inline __attribute__((always_inline)) uint64_t fn(void) { return (uint64_t)(uintptr_t)sym; }

#endif
