using DaxHolder.Abstractions;
using DaxHolder.Kernel.Mm.Tasks;
using DaxHolder.Tests.Kernel.Support;

namespace DaxHolder.Tests.Kernel;

/// <summary>kernel/sys.c: prctl(PR_MCE_KILL) and prctl(PR_MCE_KILL_GET) on the calling thread.</summary>
public sealed class PrctlTests
{
    /// <summary>SET EARLY sets PF_MCE_PROCESS|PF_MCE_EARLY and GET answers EARLY.</summary>
    [Fact]
    public void SetEarly_SetsBothFlags_GetAnswersEarly()
    {
        using var m = new TestMachine(mount: false);
        var t = m.Spawn(100, "app");

        Prctl.MceKill(t, Prctl.PR_MCE_KILL_SET, (long)MceKillPolicy.Early).ShouldBe(Errno.Ok);

        t.Flags.ShouldBe(TaskFlags.McePolicy | TaskFlags.MceEarly);
        Prctl.MceKillGet(t).Value.ShouldBe(MceKillPolicy.Early);
    }

    /// <summary>SET LATE sets PF_MCE_PROCESS, clears PF_MCE_EARLY, and GET answers LATE.</summary>
    [Fact]
    public void SetLate_AfterEarly_ClearsEarly_GetAnswersLate()
    {
        using var m = new TestMachine(mount: false);
        var t = m.Spawn(100, "app");
        TestMachine.SetMceKill(t, MceKillPolicy.Early);

        Prctl.MceKill(t, Prctl.PR_MCE_KILL_SET, (long)MceKillPolicy.Late).ShouldBe(Errno.Ok);

        t.Flags.ShouldBe(TaskFlags.McePolicy);
        Prctl.MceKillGet(t).Value.ShouldBe(MceKillPolicy.Late);
    }

    /// <summary>SET DEFAULT clears both flags, so the sysctl decides, and GET answers DEFAULT.</summary>
    [Fact]
    public void SetDefault_ClearsBothFlags_GetAnswersDefault()
    {
        using var m = new TestMachine(mount: false);
        var t = m.Spawn(100, "app");
        TestMachine.SetMceKill(t, MceKillPolicy.Early);

        Prctl.MceKill(t, Prctl.PR_MCE_KILL_SET, (long)MceKillPolicy.Default).ShouldBe(Errno.Ok);

        t.Flags.ShouldBe(TaskFlags.None);
        Prctl.MceKillGet(t).Value.ShouldBe(MceKillPolicy.Default);
    }

    /// <summary>CLEAR (arg3 0) clears PF_MCE_PROCESS, so GET answers DEFAULT.</summary>
    [Fact]
    public void Clear_ClearsMceProcess_GetAnswersDefault()
    {
        using var m = new TestMachine(mount: false);
        var t = m.Spawn(100, "app");
        TestMachine.SetMceKill(t, MceKillPolicy.Late);

        Prctl.MceKill(t, Prctl.PR_MCE_KILL_CLEAR, 0).ShouldBe(Errno.Ok);

        (t.Flags & TaskFlags.McePolicy).ShouldBe(TaskFlags.None);
        Prctl.MceKillGet(t).Value.ShouldBe(MceKillPolicy.Default);
    }

    /// <summary>CLEAR with a non-zero arg3 is -EINVAL and changes nothing.</summary>
    [Fact]
    public void Clear_WithNonzeroArg3_IsEinval()
    {
        using var m = new TestMachine(mount: false);
        var t = m.Spawn(100, "app");
        TestMachine.SetMceKill(t, MceKillPolicy.Early);

        Prctl.MceKill(t, Prctl.PR_MCE_KILL_CLEAR, 1).ShouldBe(Errno.EINVAL);

        Prctl.MceKillGet(t).Value.ShouldBe(MceKillPolicy.Early);
    }

    /// <summary>PR_MCE_KILL with non-zero arg4 or arg5 is -EINVAL and changes nothing.</summary>
    [Theory]
    [InlineData(1, 0)]
    [InlineData(0, 1)]
    public void MceKill_WithNonzeroArg4OrArg5_IsEinval(long arg4, long arg5)
    {
        using var m = new TestMachine(mount: false);
        var t = m.Spawn(100, "app");

        Prctl.MceKill(t, Prctl.PR_MCE_KILL_SET, (long)MceKillPolicy.Early, arg4, arg5).ShouldBe(Errno.EINVAL);

        t.Flags.ShouldBe(TaskFlags.None);
    }

    /// <summary>PR_MCE_KILL_GET with non-zero arg4 or arg5 is -EINVAL.</summary>
    [Theory]
    [InlineData(1, 0)]
    [InlineData(0, 1)]
    public void MceKillGet_WithNonzeroArg4OrArg5_IsEinval(long arg4, long arg5)
    {
        using var m = new TestMachine(mount: false);
        var t = m.Spawn(100, "app");

        var got = Prctl.MceKillGet(t, 0, 0, arg4, arg5);

        got.IsOk.ShouldBeFalse();
        got.Error.ShouldBe(Errno.EINVAL);
    }

    /// <summary>the flags are per thread: a thread's prctl leaves its leader alone.</summary>
    [Fact]
    public void Prctl_IsPerThread_LeaderUnchanged()
    {
        using var m = new TestMachine(mount: false);
        var leader = m.Spawn(100, "app");
        var thread = m.Machine.Tasks.CloneThread(leader, 101);

        TestMachine.SetMceKill(thread, MceKillPolicy.Early);

        Prctl.MceKillGet(leader).Value.ShouldBe(MceKillPolicy.Default);
    }

    /// <summary>clone inherits the creator's PF_MCE flags.</summary>
    [Fact]
    public void CloneThread_InheritsMceFlags()
    {
        using var m = new TestMachine(mount: false);
        var leader = m.Spawn(100, "app");
        TestMachine.SetMceKill(leader, MceKillPolicy.Late);

        var thread = m.Machine.Tasks.CloneThread(leader, 101);

        Prctl.MceKillGet(thread).Value.ShouldBe(MceKillPolicy.Late);
    }

    /// <summary>vm.memory_failure_early_kill takes only 0 or 1.</summary>
    [Fact]
    public void EarlyKillSysctl_Refuses2()
    {
        using var m = new TestMachine(mount: false);

        Should.Throw<ArgumentOutOfRangeException>(() => m.Kernel.Sysctls.MemoryFailureEarlyKill = 2);
        m.Kernel.Sysctls.MemoryFailureEarlyKill.ShouldBe(0, "the default is 0");
    }

    /// <summary>fs/exec.c: __set_task_comm(): comm is stored cut to TASK_COMM_LEN - 1 = 15 characters.</summary>
    [Fact]
    public void Comm_IsCutTo15Characters()
    {
        using var m = new TestMachine(mount: false);

        var t = m.Spawn(100, "0123456789abcdefghij");

        t.Comm.ShouldBe("0123456789abcde");
    }
}
