// A caching allocator for tensor storage.
//
// A training step allocates the same few hundred buffers every step (activations, gradients,
// temporaries) and frees them by the end of it. Asking the system each time costs page faults for
// every large buffer, since freed large blocks go back to the OS. Instead, freed blocks are kept in
// lists by size class and handed out again: after the first step, training allocates no fresh
// memory at all.
//
// Size classes: sizes round up to one of four steps per power of two (1, 1.25, 1.5, 1.75 x 2^k),
// so a block wastes at most 25% and batches of slightly different shapes still reuse each other's
// blocks.
//
// The bound: the memory ag holds (blocks in use plus idle ones) stays under twice the most its
// tensors ever had in use at once. When a request finds no idle block of its class, the blocks
// idle the longest are freed to make room before the system is asked, so batches of ever new
// shapes (a token-budget loader over sentences of every length) recycle memory instead of piling
// up idle blocks of every size they once used. A program whose shapes repeat frees nothing after
// its first step. Sanitizer builds bypass the cache so use-after-free is still caught.
#pragma once
#include <cstddef>

namespace ag {

void* allocate_storage(size_t nbytes);
void free_storage(void* ptr, size_t nbytes);
// Returns every cached block to the system (as torch.cuda.empty_cache does for GPU memory), and
// starts the bound afresh from the memory in use now.
void empty_cache();
// The bytes of idle blocks the cache holds (in size-class bytes).
size_t cached_bytes();

}  // namespace ag
