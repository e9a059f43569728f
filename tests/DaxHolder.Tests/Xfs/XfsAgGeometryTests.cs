using DaxHolder.Abstractions;
using DaxHolder.Abstractions.Fs;
using DaxHolder.Kernel;
using DaxHolder.Kernel.Fs;
using DaxHolder.Kernel.Mm.Memremap;
using DaxHolder.Kernel.Versions;
using DaxHolder.Tests.Xfs.Support;

namespace DaxHolder.Tests.Xfs;

/// <summary>
/// mkfs.xfs's AG count and size (xfsprogs mkfs/xfs_mkfs.c: calc_default_ag_geometry(),
/// align_ag_geometry()): each row is what mkfs.xfs 6.1 printed for `truncate -s SIZE f;
/// mkfs.xfs -N -f -s size=4096 [-d su=...,sw=...,agcount=...] f` (agcount, agsize, blocks).
/// </summary>
public sealed class XfsAgGeometryTests
{
    private const ulong DataOffset = 2UL << 20;

    [Theory]
    [InlineData("300M", "", 4u, 19200UL, 76800UL)]
    [InlineData("1G", "", 4u, 65536UL, 262144UL)]
    [InlineData("17G", "", 4u, 1114112UL, 4456448UL)]
    [InlineData("1T", "", 4u, 67108864UL, 268435456UL)]
    [InlineData("4T", "", 4u, 268435455UL, 1073741820UL)]
    [InlineData("5T", "", 5u, 268435455UL, 1342177275UL)]
    [InlineData("64T", "", 64u, 268435455UL, 17179869120UL)]
    [InlineData("1G", "su=2m,sw=1", 8u, 32768UL, 262144UL)]
    [InlineData("1000M", "su=2m,sw=1", 8u, 32256UL, 256000UL)]
    [InlineData("1G", "su=64k,sw=4", 8u, 32752UL, 262016UL)]
    [InlineData("8196M", "su=2m,sw=1", 16u, 131584UL, 2098176UL)]
    [InlineData("513G", "su=2m,sw=1", 32u, 4202496UL, 134479872UL)]
    [InlineData("33T", "su=2m,sw=1", 34u, 268434944UL, 8858370048UL)]
    [InlineData("1022M", "su=2m,sw=1,agcount=2", 2u, 131072UL, 261632UL)]
    public void AgGeometry_IsWhatMkfsXfsChooses(string size, string data, uint agcount, ulong agsize, ulong blocks)
    {
        var bytes = ParseSize(size);
        using var machine = Machine.Boot(KernelProfiles.V6_12);
        var pmem = machine.Nvdimm.AddFsdaxNamespace(XfsMachine.PhysicalBase, new ByteLength(bytes + DataOffset), new ByteLength(DataOffset), MemmapLocation.Ram);
        var made = Vfs.Mkfs(XfsMachine.Type, pmem.Disk, FsOptions.Parse(data.Length == 0 ? "reflink=1" : "reflink=1," + data));
        made.IsOk.ShouldBeTrue(made.ToString());
        var mounted = machine.Vfs.Mount(XfsMachine.Type, made.Value, pmem.Disk, FsOptions.Parse("dax=always"));
        mounted.IsOk.ShouldBeTrue(mounted.ToString());
        var rmap = mounted.Value.FileSystem.ReverseMap;

        rmap.LocateMetadata($"sb {agcount - 1}").IsOk.ShouldBeTrue($"AG {agcount - 1} exists");
        rmap.LocateMetadata($"sb {agcount}").Message.ShouldNotBeNull().ShouldContain($"agcount {agcount}");
        rmap.LocateMetadata("sb 1").Value.Start.Value.ShouldBe(agsize * 4096, "AG 1 starts one AG size in");
        var lastAg = rmap.LocateMetadata($"sb {agcount - 1}").Value.Start.Value / 4096;
        (blocks - lastAg).ShouldBeInRange(4096UL, agsize, "the last AG holds the rest of the data blocks, at least XFS_AG_MIN_BLOCKS");
    }

    [Theory]
    [InlineData("agcount=100000", "agsize (2 blocks) too small, need at least 4096 blocks")]
    [InlineData("agcount=abc", "Invalid value abc for -d agcount option")]
    public void Agcount_IsValidatedAsMkfsXfsDoes(string data, string message)
    {
        using var machine = Machine.Boot(KernelProfiles.V6_12);
        var pmem = machine.Nvdimm.AddFsdaxNamespace(XfsMachine.PhysicalBase, new ByteLength(ParseSize("600M") + DataOffset), new ByteLength(DataOffset), MemmapLocation.Ram);

        var made = Vfs.Mkfs(XfsMachine.Type, pmem.Disk, FsOptions.Parse(data));

        made.Error.ShouldBe(Errno.EINVAL);
        made.Message.ShouldNotBeNull().ShouldContain(message);
    }

    [Theory]
    [InlineData(8, "agf 7")]
    [InlineData(2, "agf 1")]
    public void ScenarioMkfsAgcount_GivesThatManyAgs(int agcount, string lastAgf)
    {
        var runs = Tests.Support.ScenarioHarness.Run(AgcountScenario(agcount, lastAgf));

        runs.ShouldHaveSingleItem().Steps[^1].Result.ToString().ShouldNotContain("rror");
        Tests.Support.ScenarioHarness.Error(AgcountScenario(agcount, $"agf {agcount}")).Message.ShouldContain($"AG {agcount} does not exist (agcount {agcount})");
    }

    private static string AgcountScenario(int agcount, string target) => $$"""
        device: { size: 2GiB, mode: fsdax, data-offset: 2MiB }
        filesystem:
          type: xfs
          mkfs: { reflink: 1, rmapbt: 1, agcount: {{agcount}} }
          mount: { dax: always }
        steps:
          - machine-check: { target: { metadata: "{{target}}" } }

        """;

    private static ulong ParseSize(string size)
    {
        var shift = size[^1] switch { 'M' => 20, 'G' => 30, 'T' => 40, _ => 0 };
        return ulong.Parse(size[..^1], System.Globalization.CultureInfo.InvariantCulture) << shift;
    }
}
