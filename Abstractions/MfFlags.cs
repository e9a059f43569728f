namespace DaxHolder.Abstractions;

/// <summary>
/// include/linux/mm.h: enum mf_flags, the flags of memory_failure, notify_failure and
/// mf_dax_kill_procs, with the values of 6.7 and later. Earlier kernels lack some
/// members (MF_MEM_PRE_REMOVE arrived in 6.7); the kernel profile says which ones exist.
/// </summary>
[Flags]
public enum MfFlags : uint
{
    /// <summary>0: the flags kill_dax passed before 6.7, and an asynchronous report's usual flags.</summary>
    None = 0,

    /// <summary>MF_COUNT_INCREASED: the caller (madvise) holds a page reference.</summary>
    CountIncreased = 1u << 0,

    /// <summary>MF_ACTION_REQUIRED: current consumed the poison; it gets BUS_MCEERR_AR.</summary>
    ActionRequired = 1u << 1,

    /// <summary>MF_MUST_KILL: signal even where unmapping worked; the fsdax paths always set it.</summary>
    MustKill = 1u << 2,

    /// <summary>MF_SOFT_OFFLINE.</summary>
    SoftOffline = 1u << 3,

    /// <summary>MF_UNPOISON.</summary>
    Unpoison = 1u << 4,

    /// <summary>MF_SW_SIMULATED: injected by madvise or hwpoison-inject, not by hardware.</summary>
    SwSimulated = 1u << 5,

    /// <summary>MF_NO_RETRY.</summary>
    NoRetry = 1u << 6,

    /// <summary>MF_MEM_PRE_REMOVE (6.7+): kill_dax's notification that the device is going away (drivers/dax/super.c: kill_dax()).</summary>
    MemPreRemove = 1u << 7,
}

/// <summary>Kernel spelling of <see cref="MfFlags"/>.</summary>
public static class MfFlagsExtensions
{
    private static readonly (MfFlags Flag, string Name)[] Names =
    [
        (MfFlags.CountIncreased, "MF_COUNT_INCREASED"),
        (MfFlags.ActionRequired, "MF_ACTION_REQUIRED"),
        (MfFlags.MustKill, "MF_MUST_KILL"),
        (MfFlags.SoftOffline, "MF_SOFT_OFFLINE"),
        (MfFlags.Unpoison, "MF_UNPOISON"),
        (MfFlags.SwSimulated, "MF_SW_SIMULATED"),
        (MfFlags.NoRetry, "MF_NO_RETRY"),
        (MfFlags.MemPreRemove, "MF_MEM_PRE_REMOVE"),
    ];

    /// <summary>"0", or the set flags in bit order joined by '|', e.g. "MF_ACTION_REQUIRED|MF_MUST_KILL".</summary>
    public static string ToKernelString(this MfFlags flags)
    {
        if (flags == MfFlags.None)
        {
            return "0";
        }

        var parts = Names.Where(n => (flags & n.Flag) != 0).Select(n => n.Name).ToList();
        var unknown = flags & ~Names.Aggregate(MfFlags.None, (all, n) => all | n.Flag);
        if (unknown != 0)
        {
            parts.Add("0x" + ((uint)unknown).ToString("x", System.Globalization.CultureInfo.InvariantCulture));
        }

        return string.Join('|', parts);
    }
}
