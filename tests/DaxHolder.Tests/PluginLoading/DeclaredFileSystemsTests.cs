using DaxHolder.Cli;
using DaxHolder.PluginLoading;
using DaxHolder.Scenarios.Language;
using DaxHolder.Tests.Support;

namespace DaxHolder.Tests.PluginLoading;

/// <summary>
/// A plugin declares the filesystem types it registers (<c>DaxHolderPlugin(FileSystems = ...)</c>),
/// read from its metadata without loading it: a caller that names the types it needs loads only
/// the plugins declaring one of them, and those that declare nothing. A declaration that lies is
/// a load error; clashes are found among the plugins not loaded too.
/// </summary>
public sealed class DeclaredFileSystemsTests : IDisposable
{
    private readonly FixturePlugins fixtures = new();

    public void Dispose() => fixtures.Dispose();

    private static PluginCatalog Load(IReadOnlyList<PluginSource> sources, params string[] needed) =>
        PluginLoader.Load(new PluginLoadOptions(sources) { FileSystems = needed });

    /// <summary>A plugin declaring <paramref name="fsName"/> whose ConfigureServices throws: loading it is always an error.</summary>
    private string BrokenPlugin(string folder, string fsName) =>
        fixtures.CompilePlugin(folder, FixturePlugins.PluginSource(folder, fsName)
            .Replace("=> services.AddSingleton<IFileSystemType, FsType>();", "=> throw new System.InvalidOperationException(\"broken\");", StringComparison.Ordinal));

    [Fact]
    public void ShippedPlugins_DeclareTheTypesTheyRegister_InTheirMetadata()
    {
        using var catalog = PluginLoader.Load(Sources.ShippedAnd());

        catalog.Errors.ShouldBeEmpty();
        foreach (var plugin in catalog.Plugins)
        {
            PluginAssemblyInfo.TryRead(plugin.AssemblyPath)!.DeclaredFileSystems.ShouldBe(plugin.FileSystemNames, plugin.Name);
        }
    }

    [Fact]
    public void Metadata_ReadsNameAndTypesInAnyOrder_AndNullWithoutADeclaration()
    {
        var several = fixtures.CompilePlugin("Several", FixturePlugins.PluginSource("Several", "a")
            .Replace("typeof(Several.Entry), FileSystems = [\"a\"]", "typeof(Several.Entry), FileSystems = [\"a\", \"b\"], Name = \"Sev\"", StringComparison.Ordinal));
        var plain = fixtures.CompilePlugin("Plain", FixturePlugins.PluginSource("Plain", "plainfs", declared: false));

        var read = PluginAssemblyInfo.TryRead(Path.Combine(several, "Several.Plugin.dll"))!;
        read.DeclaredFileSystems.ShouldBe(["a", "b"]);
        read.PluginName.ShouldBe("Sev");
        PluginAssemblyInfo.TryRead(Path.Combine(plain, "Plain.Plugin.dll"))!.DeclaredFileSystems.ShouldBeNull();
    }

    [Fact]
    public void APluginNotNeeded_IsNotLoaded_SoItsBreakageDoesNotFailTheCaller()
    {
        var broken = BrokenPlugin("Broken", "brokenfs");

        using var needingXfs = Load(Sources.ShippedAnd(broken), "xfs");
        using var everything = PluginLoader.Load(Sources.ShippedAnd(broken));

        needingXfs.Errors.ShouldBeEmpty();
        needingXfs.Plugins.Select(p => p.Name).ShouldBe(["Xfs"], "ext4, erofs and the broken plugin are not needed");
        everything.Errors.ShouldHaveSingleItem().Problem.ShouldContain("registering its services threw InvalidOperationException: broken");
        everything.Plugins.Count.ShouldBe(3);
    }

    [Fact]
    public void APluginNeeded_ThatIsBroken_IsStillAnError()
    {
        var broken = BrokenPlugin("Broken", "brokenfs");

        using var catalog = Load(Sources.ShippedAnd(broken), "brokenfs");

        catalog.Errors.ShouldHaveSingleItem().Plugin.ShouldBe("Broken.Plugin");
        catalog.Plugins.ShouldBeEmpty("no shipped plugin declares brokenfs");
    }

    [Fact]
    public void APluginWithoutADeclaration_IsAlwaysLoaded()
    {
        var plain = fixtures.CompilePlugin("Plain", FixturePlugins.PluginSource("Plain", "plainfs", declared: false));

        using var catalog = Load(Sources.ShippedAnd(plain), "ext4");

        catalog.Errors.ShouldBeEmpty();
        catalog.Plugins.Select(p => p.Name).ShouldBe(["Ext4", "Plain.Plugin"]);
        catalog.FindProvider("plainfs").ShouldNotBeNull();
    }

    [Fact]
    public void ATypeNoPluginDeclares_LoadsEveryPlugin_SoTheCallerCanListWhatThereIs()
    {
        using var catalog = Load(Sources.ShippedAnd(), "nosuch");

        catalog.Errors.ShouldBeEmpty();
        catalog.Plugins.SelectMany(p => p.FileSystemNames).ShouldBe(["erofs", "ext4", "xfs"]);
    }

    [Fact]
    public void ATypeOnlyAnUndeclaredPluginRegisters_IsFound()
    {
        var plain = fixtures.CompilePlugin("Plain", FixturePlugins.PluginSource("Plain", "plainfs", declared: false));

        using var catalog = Load(Sources.ShippedAnd(plain), "plainfs");

        catalog.FindProvider("plainfs")!.Name.ShouldBe("Plain.Plugin");
        catalog.Plugins.Count.ShouldBe(1, "the undeclared plugin provides it: the declared ones are not needed");
    }

    [Theory]
    [InlineData(new[] { "otherfs" }, "'otherfs'")]
    [InlineData(new[] { "liarfs", "otherfs" }, "'liarfs', 'otherfs'")]
    [InlineData(new string[0], "none")]
    public void ADeclarationThatDiffersFromTheRegisteredTypes_IsALoadError_NamingBoth(string[] declares, string declared)
    {
        var liar = fixtures.CompilePlugin("Liar", FixturePlugins.PluginSource("Liar", "liarfs", declaresInstead: declares));

        using var catalog = PluginLoader.Load(Sources.Only(liar));

        var error = catalog.Errors.ShouldHaveSingleItem();
        error.Plugin.ShouldBe("Liar.Plugin");
        error.Problem.ShouldBe($"it declares filesystem types {declared} ([assembly: DaxHolderPlugin(..., FileSystems = ...)]) but registers 'liarfs'");
        error.Fix.ShouldBe("make FileSystems name exactly the filesystem types ConfigureServices registers, or leave it out");
        catalog.Plugins.ShouldBeEmpty();
    }

    [Fact]
    public void ADeclarationThatLies_IsAnError_WhenARunNeedsADeclaredType()
    {
        var liar = fixtures.CompilePlugin("Liar", FixturePlugins.PluginSource("Liar", "liarfs", declaresInstead: ["otherfs"]));

        using var catalog = Load(Sources.ShippedAnd(liar), "otherfs");

        catalog.Errors.ShouldHaveSingleItem().Problem.ShouldContain("declares filesystem types 'otherfs'");
        catalog.FindProvider("otherfs").ShouldBeNull();
    }

    [Fact]
    public void AClashWithAPluginNotNeeded_IsTheSameErrorAsWhenEveryPluginLoads()
    {
        var impostor = fixtures.CompilePlugin("Impostor", FixturePlugins.PluginSource("Impostor", "xfs"));

        using var everything = PluginLoader.Load(Sources.ShippedAnd(impostor));
        using var needingExt4 = Load(Sources.ShippedAnd(impostor), "ext4");

        var error = needingExt4.Errors.ShouldHaveSingleItem();
        error.ShouldBe(everything.Errors.ShouldHaveSingleItem());
        error.Problem.ShouldStartWith("claims filesystem 'xfs', which plugin 'Xfs' 0.1.0 (");
        needingExt4.Plugins.Select(p => p.Name).ShouldBe(["Ext4"], "neither xfs plugin was needed, so neither was loaded");
    }

    [Fact]
    public void AClashBetweenTwoPluginsNotNeeded_IsStillReported()
    {
        var impostor = fixtures.CompilePlugin("Impostor", FixturePlugins.PluginSource("Impostor", "erofs"));

        using var catalog = Load(Sources.ShippedAnd(impostor), "xfs");

        catalog.Errors.ShouldHaveSingleItem().Problem.ShouldStartWith("claims filesystem 'erofs', which plugin 'Erofs' 0.1.0 (");
    }

    [Fact]
    public void AnOverrideNamingAPluginNotNeeded_SetsItsRivalAside_WithoutAnError()
    {
        var impostor = fixtures.CompilePlugin("Impostor", FixturePlugins.PluginSource("Impostor", "erofs"));

        using var catalog = PluginLoader.Load(new PluginLoadOptions(Sources.ShippedAnd(impostor), ["Impostor.Plugin"]) { FileSystems = ["xfs"] });

        catalog.Errors.ShouldBeEmpty();
        catalog.Overridden.ShouldHaveSingleItem().Name.ShouldBe("Erofs");
        catalog.Plugins.Select(p => p.Name).ShouldBe(["Xfs"]);
    }

    [Fact]
    public void Run_OfTheDemo_IsNotFailedByABrokenPluginDeclaringAnotherType_ButPluginsReportsIt()
    {
        var broken = BrokenPlugin("Broken", "brokenfs");

        var (exit, _, error) = CliRun.Run("demo", "--plugins", broken);
        var (listed, _, listError) = CliRun.Run("plugins", "--plugins", broken);

        error.ShouldBeEmpty();
        exit.ShouldBe(ExitCodes.Ok);
        listed.ShouldBe(ExitCodes.BadInput);
        listError.ShouldContain("plugin 'Broken.Plugin'");
    }

    [Fact]
    public void Run_OfATypeTheBrokenPluginDeclares_FailsWithItsError()
    {
        var broken = BrokenPlugin("Broken", "brokenfs");

        var (exit, _, error) = CliRun.Run("demo", "--plugins", broken, "--set", "filesystem.type=brokenfs");

        exit.ShouldBe(ExitCodes.BadInput);
        error.ShouldContain("plugin 'Broken.Plugin'");
    }

    [Fact]
    public void Run_OfATypeNoPluginProvides_ListsEveryType()
    {
        var (exit, _, error) = CliRun.Run("demo", "--set", "filesystem.type=nosuch");

        exit.ShouldBe(ExitCodes.BadInput);
        error.ShouldContain("no loaded plugin provides filesystem 'nosuch' (loaded: erofs, ext4, xfs)");
    }

    [Fact]
    public void ScenarioTypes_ComeFromTheFile_SetsAndMatrixCells()
    {
        var document = ScenarioDocument.FromText("t.yaml", """
            name: t
            device: { size: 1GiB, mode: fsdax }
            filesystem: { type: xfs }
            matrix:
              filesystem.type: [xfs, ext4]
            steps: []
            """);
        var plain = ScenarioDocument.FromText("p.yaml", "name: p\ndevice: { size: 1GiB, mode: fsdax }\nfilesystem: { type: erofs }\nsteps: []\n");

        document.FileSystemTypes(document.Cells([])).ShouldBe(["xfs", "ext4"], ignoreOrder: true);
        document.FileSystemTypes(document.Cells([new ScenarioSetting("filesystem.type", "erofs")])).ShouldBe(["erofs"]);
        plain.FileSystemTypes(plain.Cells([])).ShouldBe(["erofs"]);
        plain.FileSystemTypes(plain.Cells([], [new MatrixAxis("filesystem.type", ["xfs", "ext4"])])).ShouldBe(["xfs", "ext4"], ignoreOrder: true);
        plain.FileSystemTypes(plain.Cells([new ScenarioSetting("filesystem", "x")])).ShouldBeNull("a setting above the type hides it until the cell is bound");
    }
}
