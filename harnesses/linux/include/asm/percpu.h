/* A stub of this harness: what the percpu allocator needs of <asm/percpu.h> is in pcpu_kernel.h. */
#include <pcpu_kernel.h>
