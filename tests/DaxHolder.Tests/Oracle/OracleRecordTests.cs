using System.Text.Json;
using DaxHolder.Scenarios.Language;
using DaxHolder.Scenarios.Oracle;

namespace DaxHolder.Tests.Oracle;

public class OracleRecordTests
{
    private static readonly CellOutcome Outcome = new(
        "xfs-550",
        "6.12",
        "6.12.95+deb12-amd64",
        [new ScenarioSetting("filesystem.mkfs.reflink", "0")],
        [
            new StepOutcome(0, "setup", null, [], [], ["XFS (pmem0): Ending clean mount"]),
            new StepOutcome(1, "madvise-hwpoison", "0", [new SignalSeen("poisoner", "SIGBUS", "BUS_MCEERR_AR", 12, "poison", 0xffff_ffff_0000_1000)], [new TaskExit("reader", "killed by SIGBUS")], ["Memory failure: 0x100218: recovery action for dax page: Recovered"]),
        ])
    {
        Pids = new Dictionary<string, int> { ["poisoner"] = 240, ["reader"] = 217 },
        Setup = ["MKFS: xfs -m reflink=0,rmapbt=1 rc=0"],
    };

    [Fact]
    public void TheRecord_HasASchemaVersion_AndOffsetsAsHexStrings()
    {
        using var json = JsonDocument.Parse(OracleRecord.ToJson(Outcome, "scenarios/xfstests/xfs-550.yaml"));
        var root = json.RootElement;

        root.GetProperty("schemaVersion").GetInt32().ShouldBe(OracleRecord.SchemaVersion);
        root.GetProperty("cell").GetProperty("filesystem.mkfs.reflink").GetString().ShouldBe("0");
        var signal = root.GetProperty("steps")[1].GetProperty("signals")[0];
        signal.GetProperty("offset").GetString().ShouldBe("0xffffffff00001000");
        signal.GetProperty("siAddrLsb").GetInt32().ShouldBe(12);
    }

    [Fact]
    public void TheRecord_ReadsBackToTheSameOutcome()
    {
        var (read, file) = OracleRecord.Read("r.json", OracleRecord.ToJson(Outcome, "scenarios/xfstests/xfs-550.yaml"));

        file.ShouldBe("scenarios/xfstests/xfs-550.yaml");
        OracleRecord.ToJson(read, file).ShouldBe(OracleRecord.ToJson(Outcome, file));
        read.Steps[1].Signals[0].Offset.ShouldBe(0xffff_ffff_0000_1000);
    }

    [Fact]
    public void Write_IsAtomic_AndNamesTheFileByScenarioAndCell()
    {
        var folder = Path.Combine(Path.GetTempPath(), $"daxholder-record-{Guid.NewGuid():N}");
        try
        {
            var path = OracleRecord.Write(folder, Outcome, "x.yaml");

            Path.GetFileName(path).ShouldBe("xfs-550.reflink-0.json");
            Directory.GetFiles(folder).ShouldBe([path], "no temporary file is left behind");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Theory]
    [InlineData("scenarios/xfstests/xfs-550.yaml", "xfstests.xfs-550.reflink-0.json")]
    [InlineData("scenarios/xfs-550.yaml", "xfs-550.reflink-0.json")]
    [InlineData("/elsewhere/ext4/p.yaml", "ext4.xfs-550.reflink-0.json")]
    public void TheFileName_KeepsScenariosOfTheSameNameInDifferentFoldersApart(string scenarioFile, string name)
    {
        OracleRecord.FileName(Outcome, scenarioFile).ShouldBe(name);
    }

    [Fact]
    public void AnotherSchemaVersion_IsRefused()
    {
        var json = OracleRecord.ToJson(Outcome, "x.yaml").Replace("\"schemaVersion\": 1", "\"schemaVersion\": 99", StringComparison.Ordinal);

        Should.Throw<FormatException>(() => OracleRecord.Read("r.json", json)).Message.ShouldBe("r.json: schemaVersion 99 is not 1, the version this daxholder reads");
    }
}
