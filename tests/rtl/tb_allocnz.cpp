// tb_allocnz.cpp - tb_alloc on an allocator whose memory does not start zeroed (MemZeroed=0):
// the same checks, with every never-used frame dirty until the scrubber has zeroed it.
#define TB_ALLOC_NOT_ZEROED 1
#include "Vsgpu_frame_alloc.h"
#include "tb_alloc.cpp"
