/* A stub of this harness: its page definitions are in pcpu_kernel.h. */
#include <pcpu_kernel.h>
