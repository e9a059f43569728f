using DaxHolder.Abstractions.Kernel;
using DaxHolder.Kernel.Printk;
using DaxHolder.Kernel.Trace;

namespace DaxHolder.Kernel;

/// <summary>
/// What every subsystem of one simulated machine shares: the kernel version profile, the log,
/// the decision trace and the sysctls. One per machine.
/// </summary>
internal sealed class KernelContext
{
    public KernelContext(KernelProfile profile)
    {
        Profile = profile;
        Log = new KernelLog(Trace);
    }

    public KernelProfile Profile { get; }

    public KernelLog Log { get; }

    public DecisionTrace Trace { get; } = new();

    public Sysctls Sysctls { get; } = new();

    public bool Has(KernelFeature feature) => Profile.Has(feature);

    /// <summary>The pid of `current` while kernel code runs on behalf of a task the scenario names (a WARNING prints it), else null.</summary>
    public int? CurrentPid { get; set; }

    /// <summary>Set once an oops or panic has happened; a panicked machine runs nothing more.</summary>
    public bool Tainted { get; set; }

    public bool Panicked { get; set; }
}

/// <summary>The vm.* sysctls of mm/memory-failure.c (sysctl_memory_failure_recovery, sysctl_memory_failure_early_kill).</summary>
internal sealed class Sysctls
{
    private int earlyKill;
    private int recovery = 1;

    /// <summary>vm.memory_failure_early_kill: 0 (default) or 1.</summary>
    public int MemoryFailureEarlyKill
    {
        get => earlyKill;
        set => earlyKill = value is 0 or 1 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "vm.memory_failure_early_kill takes 0 or 1");
    }

    /// <summary>vm.memory_failure_recovery: 1 (default) or 0, which panics on any memory failure.</summary>
    public int MemoryFailureRecovery
    {
        get => recovery;
        set => recovery = value is 0 or 1 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "vm.memory_failure_recovery takes 0 or 1");
    }
}
