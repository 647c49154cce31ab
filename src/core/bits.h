/* bits.h - fixed-size bitmaps of kernel feature bits */
#ifndef NICFIX_BITS_H
#define NICFIX_BITS_H

#include <stdbool.h>
#include <stdint.h>

#define NFX_BITS_WORDS(n) (((n) + 31) / 32)

static inline bool nfx_bit_test(const uint32_t *map, unsigned int bit)
{
	return map[bit / 32] & (UINT32_C(1) << (bit % 32));
}

static inline void nfx_bit_set(uint32_t *map, unsigned int bit)
{
	map[bit / 32] |= UINT32_C(1) << (bit % 32);
}

static inline void nfx_bit_clear(uint32_t *map, unsigned int bit)
{
	map[bit / 32] &= ~(UINT32_C(1) << (bit % 32));
}

#endif
