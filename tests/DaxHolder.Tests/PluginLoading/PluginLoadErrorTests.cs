using DaxHolder.PluginLoading;
using DaxHolder.Tests.Support;

namespace DaxHolder.Tests.PluginLoading;

/// <summary>Each way a plugin can be broken gives one readable error naming the plugin and the fix, and the others still load.</summary>
public sealed class PluginLoadErrorTests : IDisposable
{
    private readonly FixturePlugins fixtures = new();

    public void Dispose() => fixtures.Dispose();

    /// <summary>A stand-in DaxHolder.Abstractions of another version, with the entry-point types a plugin binds to.</summary>
    private string CompileStandInContract(string folder, string version, string extra = "") =>
        Path.Combine(fixtures.Compile(folder, "DaxHolder.Abstractions", $$"""
            [assembly: System.Reflection.AssemblyVersion("{{version}}")]
            namespace DaxHolder.Abstractions.Plugins
            {
                public interface IDaxHolderPlugin { void ConfigureServices(Microsoft.Extensions.DependencyInjection.IServiceCollection services); }
                [System.AttributeUsage(System.AttributeTargets.Assembly)]
                public sealed class DaxHolderPluginAttribute : System.Attribute { public DaxHolderPluginAttribute(System.Type entryPoint) { EntryPoint = entryPoint; } public System.Type EntryPoint { get; } }
            }
            {{extra}}
            """, FixturePlugins.DiAbstractionsPath), "DaxHolder.Abstractions.dll");

    private const string MinimalEntry = """
        using DaxHolder.Abstractions.Plugins;
        using Microsoft.Extensions.DependencyInjection;
        [assembly: DaxHolderPlugin(typeof(Future.Entry))]
        namespace Future;
        public sealed class Entry : IDaxHolderPlugin { public void ConfigureServices(IServiceCollection services) { } }
        """;

    private static PluginLoadError SingleError(PluginCatalog catalog, string plugin)
    {
        catalog.Errors.Count.ShouldBe(1, string.Join("\n", catalog.Errors));
        var error = catalog.Errors[0];
        error.Plugin.ShouldBe(plugin);
        return error;
    }

    [Fact]
    public void PluginBuiltAgainstANewerContractMajor_IsRefusedBeforeItRuns_NamingBothVersionsAndTheFix()
    {
        var contract = CompileStandInContract("contract-v2", "2.0.0.0");
        var dir = fixtures.Compile("FuturePlugin", "FuturePlugin", MinimalEntry, contract, FixturePlugins.DiAbstractionsPath);

        using var catalog = PluginLoader.Load(Sources.ShippedAnd(dir));

        var error = SingleError(catalog, "FuturePlugin");
        error.Problem.ShouldContain("contract 2.x");
        error.Problem.ShouldContain("newer than this daxholder's contract 1.x");
        error.Fix.ShouldContain("update daxholder");
        catalog.Plugins.Count.ShouldBe(3, "one broken plugin must not keep the others from loading");
    }

    [Fact]
    public void PluginBuiltAgainstAnOlderContractMajor_IsRefused()
    {
        var contract = CompileStandInContract("contract-v0", "0.0.0.0");
        var dir = fixtures.Compile("OldPlugin", "OldPlugin", MinimalEntry, contract, FixturePlugins.DiAbstractionsPath);

        using var catalog = PluginLoader.Load(Sources.Only(dir));

        SingleError(catalog, "OldPlugin").Problem.ShouldContain("older than this daxholder's contract 1.x");
    }

    [Fact]
    public void PluginMissingADependency_NamesTheDependencyAndSaysToShipTheWholeOutput()
    {
        var helperDir = fixtures.Compile("helper", "Helper.Lib", "namespace Helper; public static class Names { public const string Fs = \"helperfs\"; }");
        var helper = Path.Combine(helperDir, "Helper.Lib.dll");
        var dir = fixtures.CompilePlugin("NeedsHelper", FixturePlugins.PluginSource("NeedsHelper", "needs", extra: "public static class Use { public static string Name() => Helper.Names.Fs + typeof(Helper.Names).Name; }"), helper);

        using var catalog = PluginLoader.Load(Sources.Only(dir));

        var error = SingleError(catalog, "NeedsHelper.Plugin");
        error.Problem.ShouldContain("Helper.Lib");
        error.Fix.ShouldContain("complete build output");
    }

    [Fact]
    public void PluginWhoseTypesDoNotLoadAgainstThisContract_GetsATypeLoadError()
    {
        // Built against a 1.x contract that has an interface this host's 1.x lacks.
        var contract = CompileStandInContract("contract-v1-other", "1.0.0.0", "namespace DaxHolder.Abstractions.Fs { public interface IGhost { } }");
        var dir = fixtures.Compile("GhostPlugin", "GhostPlugin", """
            using DaxHolder.Abstractions.Plugins;
            using Microsoft.Extensions.DependencyInjection;
            [assembly: DaxHolderPlugin(typeof(Ghost.Entry))]
            namespace Ghost;
            public sealed class Entry : IDaxHolderPlugin, DaxHolder.Abstractions.Fs.IGhost { public void ConfigureServices(IServiceCollection services) { } }
            """, contract, FixturePlugins.DiAbstractionsPath);

        using var catalog = PluginLoader.Load(Sources.Only(dir));

        var error = SingleError(catalog, "GhostPlugin");
        error.Problem.ShouldContain("type failed to load");
        error.Problem.ShouldContain("IGhost");
        error.Fix.ShouldContain("rebuild the plugin");
    }

    [Fact]
    public void FolderWithoutAPlugin_SaysHowToBuildOne()
    {
        var dir = Path.Combine(fixtures.Root, "plugins", "Empty");
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "README.txt"), "not a plugin");

        using var catalog = PluginLoader.Load(Sources.Only(Path.GetDirectoryName(dir)!));

        var error = SingleError(catalog, "Empty");
        error.Problem.ShouldBe("the folder holds no plugin assembly");
        error.Fix.ShouldContain("EnableDynamicLoading=true");
    }

    [Fact]
    public void PluginClaimingAFilesystemNameAlreadyTaken_IsRefused_NamingBothPlugins()
    {
        var dir = fixtures.CompilePlugin("Impostor", FixturePlugins.PluginSource("Impostor", "xfs"));

        using var catalog = PluginLoader.Load(Sources.ShippedAnd(dir));

        var error = SingleError(catalog, "Impostor.Plugin");
        error.Problem.ShouldContain("claims filesystem 'xfs', which plugin 'Xfs'");
        error.Problem.ShouldContain("claims filesystem 'xfs', which plugin 'Xfs' 0.1.0");
        error.Fix.ShouldContain("--plugin-override Impostor.Plugin or --plugin-override Xfs");
        catalog.FindProvider("xfs").ShouldNotBeNull();
        catalog.Plugins.Single(p => p.FileSystemNames.Contains("xfs")).Name.ShouldBe("Xfs", "the first plugin found keeps the name");
    }

    [Fact]
    public void PluginRegisteringOneFilesystemNameTwice_IsRefused()
    {
        var source = FixturePlugins.PluginSource("Twice", "twicefs")
            .Replace("=> services.AddSingleton<IFileSystemType, FsType>();", "{ services.AddSingleton<IFileSystemType, FsType>(); services.AddSingleton<IFileSystemType, FsType>(); }", StringComparison.Ordinal);
        var dir = fixtures.CompilePlugin("Twice", source);

        using var catalog = PluginLoader.Load(Sources.Only(dir));

        SingleError(catalog, "Twice.Plugin").Problem.ShouldBe("it registers filesystem 'twicefs' 2 times");
    }

    [Fact]
    public void PluginWithABlankFilesystemName_IsRefused()
    {
        var dir = fixtures.CompilePlugin("Blank", FixturePlugins.PluginSource("Blank", " "));

        using var catalog = PluginLoader.Load(Sources.Only(dir));

        SingleError(catalog, "Blank.Plugin").Problem.ShouldBe("it registers a filesystem type named ' '");
    }

    [Fact]
    public void PluginThatRegistersNoFilesystemType_IsRefused()
    {
        var dir = fixtures.CompilePlugin("Nothing", MinimalEntry.Replace("Future", "Nothing", StringComparison.Ordinal));

        using var catalog = PluginLoader.Load(Sources.Only(dir));

        SingleError(catalog, "Nothing.Plugin").Problem.ShouldBe("it registers no filesystem type");
    }

    [Fact]
    public void PluginsDirectoryThatDoesNotExist_IsAnError()
    {
        using var catalog = PluginLoader.Load(Sources.Only(Path.Combine(fixtures.Root, "nowhere")));

        SingleError(catalog, "nowhere").Problem.ShouldContain("does not exist");
    }
}
