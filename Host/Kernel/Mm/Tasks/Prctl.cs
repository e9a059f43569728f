using DaxHolder.Abstractions;

namespace DaxHolder.Kernel.Mm.Tasks;

/// <summary>The early-kill policy a thread can ask for (PR_MCE_KILL_* arguments, kernel/sys.c).</summary>
internal enum MceKillPolicy
{
    /// <summary>PR_MCE_KILL_LATE (0): PF_MCE_PROCESS set, PF_MCE_EARLY cleared.</summary>
    Late = 0,

    /// <summary>PR_MCE_KILL_EARLY (1): PF_MCE_PROCESS and PF_MCE_EARLY set.</summary>
    Early = 1,

    /// <summary>PR_MCE_KILL_DEFAULT (2): both cleared; the sysctl decides.</summary>
    Default = 2,
}

/// <summary>kernel/sys.c: prctl(PR_MCE_KILL) and prctl(PR_MCE_KILL_GET).</summary>
internal static class Prctl
{
    public const int PR_MCE_KILL = 33;
    public const int PR_MCE_KILL_GET = 34;
    public const int PR_MCE_KILL_CLEAR = 0;
    public const int PR_MCE_KILL_SET = 1;

    /// <summary>
    /// prctl(PR_MCE_KILL, arg2, arg3, arg4, arg5) on the calling thread: SET with a policy, or
    /// CLEAR (arg3 must be 0), which clears PF_MCE_PROCESS. arg4 and arg5 must be 0.
    /// </summary>
    public static Errno MceKill(TaskStruct thread, int arg2, long arg3, long arg4 = 0, long arg5 = 0)
    {
        ArgumentNullException.ThrowIfNull(thread);
        if (arg4 != 0 || arg5 != 0)
        {
            return Errno.EINVAL;
        }

        switch (arg2)
        {
            case PR_MCE_KILL_CLEAR:
                if (arg3 != 0)
                {
                    return Errno.EINVAL;
                }

                thread.Flags &= ~TaskFlags.McePolicy;
                return Errno.Ok;
            case PR_MCE_KILL_SET:
                switch ((MceKillPolicy)arg3)
                {
                    case MceKillPolicy.Early:
                        thread.Flags |= TaskFlags.McePolicy | TaskFlags.MceEarly;
                        return Errno.Ok;
                    case MceKillPolicy.Late:
                        thread.Flags = (thread.Flags | TaskFlags.McePolicy) & ~TaskFlags.MceEarly;
                        return Errno.Ok;
                    case MceKillPolicy.Default:
                        thread.Flags &= ~(TaskFlags.McePolicy | TaskFlags.MceEarly);
                        return Errno.Ok;
                    default:
                        return Errno.EINVAL;
                }

            default:
                return Errno.EINVAL;
        }
    }

    /// <summary>prctl(PR_MCE_KILL_GET): EARLY, LATE or DEFAULT for the calling thread.</summary>
    public static ErrnoOr<MceKillPolicy> MceKillGet(TaskStruct thread, long arg2 = 0, long arg3 = 0, long arg4 = 0, long arg5 = 0)
    {
        ArgumentNullException.ThrowIfNull(thread);
        if (arg2 != 0 || arg3 != 0 || arg4 != 0 || arg5 != 0)
        {
            return ErrnoOr<MceKillPolicy>.Fail(Errno.EINVAL);
        }

        return (thread.Flags & TaskFlags.McePolicy) == 0 ? ErrnoOr<MceKillPolicy>.Ok(MceKillPolicy.Default)
            : (thread.Flags & TaskFlags.MceEarly) != 0 ? ErrnoOr<MceKillPolicy>.Ok(MceKillPolicy.Early)
            : ErrnoOr<MceKillPolicy>.Ok(MceKillPolicy.Late);
    }
}
