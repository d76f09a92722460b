/* A stub of this harness: the tree's own <linux/percpu.h>, whose includes resolve to stubs. */
#include <pcpu_kernel.h>
#include PCPU_TREE_PERCPU_H
