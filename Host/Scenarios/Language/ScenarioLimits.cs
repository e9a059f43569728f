using System.Globalization;

namespace DaxHolder.Scenarios.Language;

/// <summary>
/// The limits a scenario is held to before anything runs (scenarios/README.md, "Limits"). Each is
/// far above what a hand-written or generated scenario needs and low enough that a malformed or
/// hostile file is refused at once with a located error (exit 2) instead of exhausting time or
/// memory: an alias bomb, a deep nest, a huge string, a matrix of millions of cells.
/// </summary>
internal static class ScenarioLimits
{
    /// <summary>The largest scenario file, in bytes (4 MiB: about 70 times the default `daxholder generate` output).</summary>
    public const int FileBytes = 4 << 20;

    /// <summary>The longest scalar (a name, a path, a description), in characters: PATH_MAX.</summary>
    public const int ScalarLength = 4096;

    /// <summary>The deepest nesting of mappings and lists (the shipped scenarios reach 7).</summary>
    public const int Depth = 32;

    /// <summary>The most YAML nodes in the document with every alias expanded (refuses "billion laughs" without expanding it).</summary>
    public const long Nodes = 1_000_000;

    /// <summary>The most steps.</summary>
    public const int Steps = 100_000;

    /// <summary>The most tasks (spawned and forked processes and their threads): the default kernel.pid_max.</summary>
    public const int Tasks = 32_768;

    /// <summary>The most mappings (mmap steps) in a scenario: the default vm.max_map_count.</summary>
    public const int Mappings = 65_530;

    /// <summary>The most files.</summary>
    public const int Files = 100_000;

    /// <summary>The most cells of a matrix (with --vary axes).</summary>
    public const int MatrixCells = 4096;

    /// <summary>
    /// The largest namespace: 64 TiB, the size real pmem reaches in one region and the largest the
    /// model is shown to hold (xfs and ext4 mkfs, mount, a file and a poison) in memory that follows
    /// what is allocated and mapped, not the device's size.
    /// </summary>
    public const ulong DeviceSize = 64UL << 40;

    /// <summary>
    /// The highest physical address a namespace may reach (base + size): 2^52 bytes, 4 PiB, x86-64's
    /// MAX_PHYSMEM_BITS with 5-level paging (arch/x86/include/asm/sparsemem.h), so a 64 TiB
    /// namespace fits above the default base.
    /// </summary>
    public const ulong PhysicalAddressEnd = 1UL << 52;

    /// <summary>The largest offset or size inside a file: MAX_LFS_FILESIZE (LLONG_MAX), what loff_t holds.</summary>
    public const ulong FileOffsetMax = long.MaxValue;

    /// <summary>"4096" as messages write counts.</summary>
    public static string Count(long n) => n.ToString("N0", CultureInfo.InvariantCulture);
}
