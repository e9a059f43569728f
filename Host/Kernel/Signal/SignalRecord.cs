using DaxHolder.Kernel.Trace;
using DaxHolder.Kernel.Units;

namespace DaxHolder.Kernel.Signal;

/// <summary>Signal numbers and si_codes the model uses (include/uapi/asm-generic/signal.h, siginfo.h).</summary>
internal static class Signals
{
    public const int SIGBUS = 7;
    public const int SIGKILL = 9;
    public const int SIGSEGV = 11;

    /// <summary>SEGV_MAPERR: no mapping at the address.</summary>
    public const int SEGV_MAPERR = 1;

    /// <summary>SEGV_ACCERR: a mapping is there, but it does not allow the access.</summary>
    public const int SEGV_ACCERR = 2;

    /// <summary>SI_KERNEL: sent by the kernel, no address payload (force_sig).</summary>
    public const int SI_KERNEL = 0x80;

    /// <summary>BUS_ADRERR: nonexistent physical address (a DAX fault on a bad block before 6.5).</summary>
    public const int BUS_ADRERR = 2;

    /// <summary>BUS_MCEERR_AR: hardware memory error consumed, action required.</summary>
    public const int BUS_MCEERR_AR = 4;

    /// <summary>BUS_MCEERR_AO: hardware memory error detected, action optional.</summary>
    public const int BUS_MCEERR_AO = 5;

    public static string Name(int signal) => signal switch
    {
        SIGBUS => "SIGBUS",
        SIGKILL => "SIGKILL",
        SIGSEGV => "SIGSEGV",
        _ => signal.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <summary>The si_code's name; SIGSEGV's codes share numbers with SIGBUS's, so the signal decides.</summary>
    public static string CodeName(int signal, int code) => signal == SIGSEGV && code == SEGV_MAPERR ? "SEGV_MAPERR" : signal == SIGSEGV && code == SEGV_ACCERR ? "SEGV_ACCERR" : CodeName(code);

    public static string CodeName(int code) => code switch
    {
        SI_KERNEL => "SI_KERNEL",
        BUS_ADRERR => "BUS_ADRERR",
        BUS_MCEERR_AR => "BUS_MCEERR_AR",
        BUS_MCEERR_AO => "BUS_MCEERR_AO",
        0 => "SI_USER",
        _ => code.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}

/// <summary>What a signal did when the kernel tried to queue it (kernel/signal.c: send_signal_locked).</summary>
internal enum SignalQueueing
{
    /// <summary>Queued and pending for the thread.</summary>
    Queued,

    /// <summary>Not queued: the same legacy signal is already pending (legacy_queue).</summary>
    AlreadyPending,

    /// <summary>Dropped: the signal is ignored and not forced (sig_ignored).</summary>
    Ignored,

    /// <summary>The target is gone: -ESRCH.</summary>
    NoSuchProcess,
}

/// <summary>
/// A signal the kernel sent: the thread, the signal and its siginfo, whether it was forced
/// (force_sig_*: unblocked and reset to SIG_DFL if blocked or ignored) and what queueing did.
/// </summary>
internal sealed record SignalRecord(
    TaskName Task,
    int Signal,
    int Code,
    UserAddress? Address,
    int AddressLsb,
    bool Forced,
    SignalQueueing Queueing);
