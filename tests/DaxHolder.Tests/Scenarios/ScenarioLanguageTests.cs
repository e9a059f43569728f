using DaxHolder.Tests.Support;

namespace DaxHolder.Tests.Scenarios;

/// <summary>Bad scenarios get one error naming the file, line, column and field, and why.</summary>
public class ScenarioLanguageTests
{
    private const string Devdax = """
        device: { mode: devdax, size: 4GiB, align: 2MiB }
        steps:
          - spawn: { task: t, pid: 100 }
          - mmap: { task: t, as: m, length: 2MiB }

        """;

    [Fact]
    public void YamlSyntaxError_NamesTheLineAndColumn()
    {
        var error = ScenarioHarness.Error("device: { mode: devdax\nsteps: [\n");

        error.Where.File.ShouldBe("test.yaml");
        error.Where.Line.ShouldBeGreaterThan(0);
        error.Where.Field.ShouldBe("(syntax)");
    }

    [Fact]
    public void UnknownTopLevelField_IsRefused_WithTheKnownOnes()
    {
        var error = ScenarioHarness.Error("kernal: \"6.1\"\n");

        error.Message.ShouldStartWith("test.yaml:1:1: kernal: unknown field 'kernal'");
        error.Message.ShouldContain("kernel");
    }

    [Fact]
    public void UnknownStep_IsRefused_AtItsLine()
    {
        var error = ScenarioHarness.Error(Devdax + "  - frobnicate: { task: t }\n");

        error.Where.Line.ShouldBe(5);
        error.Where.Column.ShouldBe(5);
        error.Where.Field.ShouldBe("steps[2].frobnicate");
        error.Problem.ShouldStartWith("unknown step 'frobnicate'");
    }

    [Fact]
    public void UnknownStepField_IsRefused()
    {
        var error = ScenarioHarness.Error(Devdax + "  - touch: { task: t, map: m, lenght: 4KiB }\n");

        error.Where.Field.ShouldBe("steps[2].touch.lenght");
        error.Where.Line.ShouldBe(5);
        error.Problem.ShouldContain("unknown field 'lenght'");
    }

    [Fact]
    public void TaskNotYetSpawned_IsRefused()
    {
        var error = ScenarioHarness.Error(Devdax + "  - madvise-hwpoison: { task: ghost, map: m }\n");

        error.Message.ShouldBe("test.yaml:5:31: steps[2].madvise-hwpoison.task: no task named 'ghost' exists at this step (spawn or fork it first)");
    }

    [Fact]
    public void MappingNotYetMade_IsRefused()
    {
        var error = ScenarioHarness.Error(Devdax + "  - touch: { task: t, map: nope }\n");

        error.Where.Field.ShouldBe("steps[2].touch.map");
        error.Problem.ShouldContain("no mapping named 'nope'");
    }

    [Fact]
    public void MalformedSize_IsRefused()
    {
        var error = ScenarioHarness.Error("device: { size: 1 gigabyte }\n");

        error.Message.ShouldBe("test.yaml:1:17: device.size: '1 gigabyte' is not a size (bytes, or with a KiB/MiB/GiB/TiB suffix)");
    }

    [Fact]
    public void DeviceOffsetOutsideTheDevice_IsRefused()
    {
        var error = ScenarioHarness.Error(Devdax + "  - machine-check: { target: { device-offset: 8GiB } }\n");

        error.Where.Field.ShouldBe("steps[2].machine-check.target.device-offset");
        error.Problem.ShouldContain("outside the device");
    }

    [Fact]
    public void PfnOutsideTheNamespace_IsRefused()
    {
        var error = ScenarioHarness.Error(Devdax + "  - machine-check: { target: { pfn: 0x10 } }\n");

        error.Problem.ShouldStartWith("pfn 0x10 is outside the namespace");
    }

    [Fact]
    public void PidTakenTwice_IsRefused()
    {
        var error = ScenarioHarness.Error(Devdax + "  - spawn: { task: u, pid: 100 }\n");

        error.Problem.ShouldBe("pid/tid 100 is already taken");
    }

    /// <summary>A complex key (a list or a mapping where a field name belongs) is one located error, not an internal one.</summary>
    [Theory]
    [InlineData("device: {size: 1GiB, [a]: b}\n", 1, "device", "a list")]
    [InlineData("device: {size: 1GiB, {a: b}: c}\n", 1, "device", "a mapping")]
    [InlineData("[a]: x\n", 1, "(document)", "a list")]
    public void AComplexKey_IsALocatedError(string yaml, int line, string field, string found)
    {
        var error = ScenarioHarness.Error(yaml);

        error.Where.Line.ShouldBe(line);
        error.Where.Field.ShouldBe(field);
        error.Problem.ShouldStartWith($"a key must be a plain name, found {found}");
    }

    [Fact]
    public void UnknownKernelProfile_ListsTheKnownOnes()
    {
        var error = ScenarioHarness.Error("kernel: \"5.19\"\n");

        error.Problem.ShouldBe("no kernel profile '5.19' (known: 6.1, 6.12, 7.2)");
    }

    [Fact]
    public void FilesWithoutAFilesystem_AreRefused()
    {
        var error = ScenarioHarness.Error("files:\n  - { path: /a, size: 4KiB }\n");

        error.Where.Field.ShouldBe("files[0]");
        error.Problem.ShouldBe("files need a filesystem");
    }

    [Fact]
    public void AFilesystemOnDevdax_IsRefused()
    {
        var error = ScenarioHarness.Error("device: { mode: devdax }\nfilesystem: { type: xfs }\n");

        error.Where.Field.ShouldBe("filesystem");
        error.Problem.ShouldContain("a devdax namespace has no filesystem");
    }

    [Fact]
    public void AnUnknownFilesystem_NamesTheLoadedOnes()
    {
        var error = ScenarioHarness.Error("filesystem: { type: zfs }\n");

        error.Where.Field.ShouldBe("filesystem.type");
        error.Problem.ShouldBe("no loaded plugin provides filesystem 'zfs' (loaded: erofs, ext4, xfs)");
    }

    [Fact]
    public void ASettingIntoAScalar_IsRefused_NamingTheSetting()
    {
        var error = ScenarioHarness.Error("kernel: \"6.1\"\n", "kernel.x=1");

        error.Where.Field.ShouldBe("kernel.x");
        error.Problem.ShouldContain("'kernel' is a single value");
    }

    [Fact]
    public void ABadSettingValue_IsReportedWhereItLands()
    {
        var error = ScenarioHarness.Error("kernel: \"6.1\"\n", "sysctls.vm.memory_failure_early_kill=2");

        error.Where.Field.ShouldBe("sysctls.vm.memory_failure_early_kill");
        error.Problem.ShouldBe("'2' is not one of: 0, 1");
    }

    [Fact]
    public void AnEmptyExpectBlock_IsRefused()
    {
        var error = ScenarioHarness.Error(Devdax + "  - touch: { task: t, map: m }\n    expect: {}\n");

        error.Where.Field.ShouldBe("steps[2].expect");
        error.Problem.ShouldStartWith("an expect block needs at least one check");
    }

    [Fact]
    public void TwoStepsInOneItem_AreRefused()
    {
        var error = ScenarioHarness.Error(Devdax + "  - touch: { task: t, map: m }\n    exit: { task: t }\n");

        error.Problem.ShouldBe("one step per list item, found touch and exit");
    }
}
