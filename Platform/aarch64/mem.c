/*
 * memset, memcpy, memmove and memcmp for the firmware images. Swift and clang emit calls to
 * these for struct copies (with FP/SIMD off) and zeroing. They must be C built with
 * -ffreestanding -fno-builtin: the same loops written in Swift compile into calls to themselves.
 * Accesses are naturally aligned (strict alignment: before the MMU is on, memory is Device).
 */
#include <stddef.h>
#include <stdint.h>

void *memset(void *dst, int c, size_t n)
{
	uint8_t *d = dst;
	uint64_t pattern = (uint8_t)c;

	pattern |= pattern << 8;
	pattern |= pattern << 16;
	pattern |= pattern << 32;
	while (n > 0 && ((uintptr_t)d & 7) != 0) {
		*d++ = (uint8_t)c;
		n--;
	}
	for (; n >= 8; n -= 8, d += 8)
		*(uint64_t *)d = pattern;
	while (n-- > 0)
		*d++ = (uint8_t)c;
	return dst;
}

void *memcpy(void *restrict dst, const void *restrict src, size_t n)
{
	uint8_t *d = dst;
	const uint8_t *s = src;

	if ((((uintptr_t)d ^ (uintptr_t)s) & 7) == 0) {
		while (n > 0 && ((uintptr_t)d & 7) != 0) {
			*d++ = *s++;
			n--;
		}
		/* Four doublewords per iteration: struct copies dominate this function's use. */
		for (; n >= 32; n -= 32, d += 32, s += 32) {
			uint64_t a = ((const uint64_t *)s)[0], b = ((const uint64_t *)s)[1];
			uint64_t c = ((const uint64_t *)s)[2], e = ((const uint64_t *)s)[3];
			((uint64_t *)d)[0] = a;
			((uint64_t *)d)[1] = b;
			((uint64_t *)d)[2] = c;
			((uint64_t *)d)[3] = e;
		}
		for (; n >= 8; n -= 8, d += 8, s += 8)
			*(uint64_t *)d = *(const uint64_t *)s;
	}
	while (n-- > 0)
		*d++ = *s++;
	return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
	uint8_t *d = dst;
	const uint8_t *s = src;

	if (d == s || n == 0)
		return dst;
	if (d < s || d >= s + n)
		return memcpy(dst, src, n);
	/* Overlapping with dst above src: copy backwards. */
	d += n;
	s += n;
	if ((((uintptr_t)d ^ (uintptr_t)s) & 7) == 0) {
		while (n > 0 && ((uintptr_t)d & 7) != 0) {
			*--d = *--s;
			n--;
		}
		for (; n >= 8; n -= 8) {
			d -= 8;
			s -= 8;
			*(uint64_t *)d = *(const uint64_t *)s;
		}
	}
	while (n-- > 0)
		*--d = *--s;
	return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const uint8_t *x = a, *y = b;

	for (; n > 0; n--, x++, y++) {
		if (*x != *y)
			return *x < *y ? -1 : 1;
	}
	return 0;
}
