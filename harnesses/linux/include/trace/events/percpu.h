/* A stub of this harness: what the percpu allocator needs of <trace/events/percpu.h> is in pcpu_kernel.h. */
#include <pcpu_kernel.h>
