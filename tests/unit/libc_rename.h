// SPDX-License-Identifier: MIT
// Renames lib/c's functions for host tests, so they link beside (and are tested apart from) the
// host's C library.
//
// unit.mk force-includes this into lib/c sources built for a test; the test
// includes it before lib/c's headers (and after harness.h).
#pragma once

#define memcpy libc_memcpy
#define memmove libc_memmove
#define memset libc_memset
#define memcmp libc_memcmp
#define memchr libc_memchr
#define strlen libc_strlen
#define strnlen libc_strnlen
#define strcmp libc_strcmp
#define strncmp libc_strncmp
#define strchr libc_strchr
#define strrchr libc_strrchr
#define strlcpy libc_strlcpy
#define strstr libc_strstr
#define vsnprintf libc_vsnprintf
#define snprintf libc_snprintf
#define vcbprintf libc_vcbprintf
#define strtol libc_strtol
#define strtoul libc_strtoul
#define atoi libc_atoi
#define abs libc_abs
#define labs libc_labs
#define malloc libc_malloc
#define free libc_free
#define calloc libc_calloc
#define realloc libc_realloc
#define isdigit libc_isdigit
#define isupper libc_isupper
#define islower libc_islower
#define isalpha libc_isalpha
#define isalnum libc_isalnum
#define isxdigit libc_isxdigit
#define isspace libc_isspace
#define isprint libc_isprint
#define iscntrl libc_iscntrl
#define ispunct libc_ispunct
#define tolower libc_tolower
#define toupper libc_toupper
