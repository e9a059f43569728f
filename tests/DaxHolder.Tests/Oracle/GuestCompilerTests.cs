using DaxHolder.Cli;
using DaxHolder.Scenarios.Language;
using DaxHolder.Scenarios.Oracle;
using DaxHolder.Tests.Support;

namespace DaxHolder.Tests.Oracle;

public class GuestCompilerTests
{
    private static GuestCase Compile(string file, params string[] cell) =>
        GuestCompiler.Compile(ScenarioDocument.Load(Path.Combine(ScenarioHarness.ScenariosDirectory, file)).Bind([.. cell.Select(ScenarioSetting.Parse)]));

    [Fact]
    public void Demo_CompilesSetupAndEveryStep_InOrder()
    {
        var guest = Compile("demo.yaml");

        var lines = guest.Script.Split('\n');
        lines.ShouldContain("o_namespace fsdax mem");
        lines.ShouldContain("o_mkfs xfs '-m' 'reflink=1,rmapbt=1'");
        lines.ShouldContain("MNTTYPE=xfs; MNTOPTS='dax=always'");
        lines.ShouldContain("daxprobe write $MNT/testfile 65536");
        lines.ShouldContain("daxprobe clone $MNT/testfile $MNT/poisonfile copy");
        lines.ShouldContain("o_spawn 2 reader 't_mmap_cow_memo' default -");
        lines.ShouldContain("o_fork 3 reader poisoner '-' handler");
        lines.ShouldContain("o_spawn 4 watcher 'watcher' handler early");
        lines.ShouldContain("o_send reader 5 mmap read $MNT/testfile 0 4096 shared pmd");
        lines.ShouldContain("o_send poisoner 11 madvise poison 0 4096 hwpoison");
        guest.Steps.Select(s => s.Kind).ShouldBe(["cycle-mount", "spawn", "fork", "spawn", "mmap", "touch", "mmap", "touch", "mmap", "touch", "madvise-hwpoison"]);
        Array.IndexOf(lines, "o_step 11 madvise-hwpoison").ShouldBeGreaterThan(Array.IndexOf(lines, "o_after 10"));
        lines[^2].ShouldBe("o_finish");
    }

    [Fact]
    public void AScenarioThread_IsAThreadOfItsAgent_StartedInTheSpawnStep()
    {
        var lines = Compile("mm/threads.yaml", "kernel=6.12", "filesystem.type=xfs", "steps.1.set.early-kill=early").Script.Split('\n');

        lines.ShouldContain("o_spawn 1 main 'threaded' handler default; o_thread 1 main worker");
        lines.ShouldContain("o_send worker 2 set - early");
        lines.ShouldContain("o_send worker 6 madvise f 4096 4096 hwpoison");
    }

    [Fact]
    public void AnErofsImage_IsBuiltFromItsSourceTree_WithTheScenariosPatterns_ThenMounted()
    {
        var lines = Compile("erofs/erofs-dedupe.yaml", "kernel=6.12", "filesystem.mkfs=chunksize=4096", "filesystem.mount=dax=always").Script.Split('\n').ToList();

        lines.ShouldContain("daxprobe pattern $SRC/a 'A' 0 0 65536");
        lines.ShouldContain("daxprobe pattern $SRC/b 'A' 0 0 65536");
        lines.ShouldContain("o_mkfs erofs '--chunksize=4096'");
        lines.IndexOf("o_mkfs erofs '--chunksize=4096'").ShouldBeGreaterThan(lines.IndexOf("daxprobe pattern $SRC/b 'A' 0 0 65536"), "mkfs.erofs reads the tree");
        lines.ShouldContain("MNTTYPE=erofs; MNTOPTS='dax=always'");
    }

    [Fact]
    public void AModelOnlyErofsMountOption_IsRefused()
    {
        Should.Throw<ScenarioException>(() => Compile("erofs/erofs-dedupe.yaml", "kernel=6.12", "filesystem.mkfs=chunksize=4096", "filesystem.mount=dax=always,notify_failure=rmap"))
            .Message.ShouldContain("notify_failure");
    }

    [Fact]
    public void ADeviceDaxNamespace_HasNoFilesystem_AndTasksMapTheCharacterDevice()
    {
        var lines = Compile("ndctl/device-dax-poison.yaml", "kernel=6.12").Script.Split('\n');

        lines.ShouldContain("o_namespace devdax mem 2097152");
        lines.ShouldNotContain(l => l.StartsWith("o_mkfs", StringComparison.Ordinal) || l.StartsWith("o_mount", StringComparison.Ordinal));
        lines.ShouldContain("o_send test 2 mmap dax $DAXDEV 0 4194304 shared pmd");
        lines.ShouldContain("o_send test 4 madvise dax 1048576 4096 soft-offline");
    }

    [Fact]
    public void AMappingsProt_IsPassedToTheAgent_AndTheDefaultAddsNothing()
    {
        var lines = Compile("mm/prot.yaml", "kernel=6.12", "filesystem.type=xfs").Script.Split('\n');

        lines.ShouldContain("o_send r 2 mmap ro $MNT/f 0 16384 shared pmd read");
        lines.ShouldContain("o_send w 5 mmap wo $MNT/f 0 16384 private pmd write");
        Compile("demo.yaml").Script.Split('\n').ShouldContain("o_send reader 5 mmap read $MNT/testfile 0 4096 shared pmd");
    }

    [Fact]
    public void ACell_ChangesWhatMkfsIsGiven()
    {
        Compile("xfstests/xfs-551.yaml", "filesystem.mkfs.reflink=0").Script.ShouldContain("o_mkfs xfs '-m' 'reflink=0,rmapbt=1'");
    }

    [Fact]
    public void CorruptPfn_IsWrittenByItsTask_ForTheFileOffset()
    {
        Compile("xfs/corrupt-pfn.yaml").Script.Split('\n').ShouldContain("o_send writer 10 corrupt $MNT/f 8192 $BASEPFN");
    }

    [Fact]
    public void AMachineCheck_AsksTheHostForAnMce_AtTheFileOffsetsAddress()
    {
        Compile("xfs/reflink-in-core.yaml").Script.Split('\n').ShouldContain("o_mce 10 $MNT/a 0");
    }

    [Fact]
    public void MetadataAndDeviceOffsetTargets_AreLocatedInTheGuest()
    {
        Compile("xfs/metadata-hit.yaml", "steps.3.machine-check.target.metadata=agf 1").Script.Split('\n')
            .ShouldContain("if d=$(o_meta 'agf' '1'); then d=$((d + 0)); o_mce_dev 4 $d; else echo \"RESULT step=4 task=- event=result what=machine-check rc=metadata-not-found\"; fi");
        Compile("ext4/modes.yaml").Script.Split('\n').ShouldContain(l => l.StartsWith("d=134762496; o_mce_dev ", StringComparison.Ordinal));
    }

    [Fact]
    public void Ext4_GetsMke2fsArguments()
    {
        var fs = new FileSystemSpec("ext4", DaxHolder.Abstractions.Fs.FsOptions.Parse("flex_bg=0,inode_ratio=8192"), DaxHolder.Abstractions.Fs.FsOptions.Parse("dax=always"), Loc, Loc);

        GuestCompiler.MkfsArguments(fs).ShouldBe(["-b", "4096", "-O", "^flex_bg", "-i", "8192"]);
    }

    [Fact]
    public void AStepTheGuestCannotRun_IsRefused_AtItsLocation()
    {
        var yaml = File.ReadAllText(Path.Combine(ScenarioHarness.ScenariosDirectory, "demo.yaml"))
            .Replace("  - madvise-hwpoison: { task: poisoner, map: poison, length: 4KiB }", "  - machine-check: { target: { metadata: \"freelist 1\", offset: 0 } }", StringComparison.Ordinal);

        var error = Should.Throw<ScenarioException>(() => GuestCompiler.Compile(ScenarioDocument.FromText("mce.yaml", yaml).Bind([])));

        error.Message.ShouldBe("mce.yaml:28:20: steps[10].machine-check: oracle: step 'machine-check' cannot run on the real kernel: the guest locates 'sb ...', 'agf ...', 'agi ...', 'agfl ...', 'bnobt ...', 'cntbt ...', 'rmapbt ...', 'refcountbt ...', 'inobt ...', 'finobt ...', 'log ...', 'inodes ...', 'inode ...', 'attr ...' on the real xfs, not 'freelist 1'");
    }

    [Theory]
    [InlineData("log", "if d=$(o_meta 'log' '-'); then")]
    [InlineData("inodes /a", "if d=$(o_meta 'inodes' '/a'); then")]
    [InlineData("refcountbt 0", "if d=$(o_meta 'refcountbt' '0'); then")]
    public void XfsMetadata_IsLocatedByTheGuest(string name, string expected)
    {
        Compile("xfs/metadata-hit.yaml", $"steps.3.machine-check.target.metadata={name}").Script.ShouldContain(expected);
    }

    [Fact]
    public void OracleRun_RefusesAnUnsupportedStep_WithExit2_BeforeAnyBoot()
    {
        var yaml = File.ReadAllText(Path.Combine(ScenarioHarness.ScenariosDirectory, "demo.yaml"))
            .Replace("  - madvise-hwpoison: { task: poisoner, map: poison, length: 4KiB }", "  - access-mce: { task: reader, map: read, offset: 0 }", StringComparison.Ordinal);
        var file = Path.Combine(Path.GetTempPath(), $"daxholder-oracle-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(file, yaml);
        try
        {
            var (exit, output, error) = CliRun.Run("oracle", "run", file, "--kernel", "6.12");

            exit.ShouldBe(ExitCodes.BadInput);
            output.ShouldBeEmpty();
            error.Trim().ShouldBe($"daxholder: {file}:28:17: steps[10].access-mce: oracle: step 'access-mce' cannot run on the real kernel: this step kind is not run by the guest yet");
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void OracleRun_RefusesAnUnknownKernel_WithExit2()
    {
        var (exit, _, error) = CliRun.Run("oracle", "run", Path.Combine(ScenarioHarness.ScenariosDirectory, "demo.yaml"), "--kernel", "5.10");

        exit.ShouldBe(ExitCodes.BadInput);
        error.ShouldContain("no real kernel '5.10' (known: 6.1, 6.12, 7.2)");
    }

    [Fact]
    public void AMissingHostTool_SaysWhichPackagesToInstall()
    {
        var error = Should.Throw<OracleException>(() => ImageBuilder.CheckHost(c => c is not ("qemu-system-x86_64" or "mkfs.erofs")));

        error.Message.ShouldBe("the oracle needs qemu-system-x86_64, mkfs.erofs on this machine; install them with: apt-get install qemu-system-x86 erofs-utils");
    }

    private static readonly SourceLocation Loc = new("t.yaml", 1, 1, "filesystem");
}
