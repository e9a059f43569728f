namespace DaxHolder.Abstractions.Kernel;

/// <summary>printk log levels (include/linux/kern_levels.h).</summary>
public enum KernelLogLevel
{
    /// <summary>KERN_EMERG (0).</summary>
    Emerg = 0,

    /// <summary>KERN_ALERT (1).</summary>
    Alert = 1,

    /// <summary>KERN_CRIT (2).</summary>
    Crit = 2,

    /// <summary>KERN_ERR (3).</summary>
    Err = 3,

    /// <summary>KERN_WARNING (4).</summary>
    Warning = 4,

    /// <summary>KERN_NOTICE (5).</summary>
    Notice = 5,

    /// <summary>KERN_INFO (6).</summary>
    Info = 6,

    /// <summary>KERN_DEBUG (7).</summary>
    Debug = 7,
}

/// <summary>
/// The kernel log (printk). Lines are written exactly as the kernel prints them, prefixes included
/// ("XFS (pmem0): ..."), mm/memory-failure.c's through its "Memory failure: " pr_fmt. A filesystem
/// formats its own lines.
/// </summary>
public interface IKernelLog
{
    /// <summary>printk(level, line): appends one line, without a trailing newline.</summary>
    void Printk(KernelLogLevel level, string line);
}
