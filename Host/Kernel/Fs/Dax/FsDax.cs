using DaxHolder.Kernel.Mm.Memremap;

namespace DaxHolder.Kernel.Fs.Dax;

/// <summary>
/// fs/dax.c of one machine. Its functions live in one file per concern: association and entry
/// locks (DaxAssociation.cs), faults (DaxFault.cs, DaxPmdFault.cs), entry deletion and
/// invalidation (DaxTruncate.cs), and read/write (DaxIomapRw.cs).
/// </summary>
internal sealed partial class FsDax(KernelContext kernel, DevPagemaps memremap)
{
    private readonly KernelContext kernel = kernel;
    private readonly DevPagemaps memremap = memremap;
}
