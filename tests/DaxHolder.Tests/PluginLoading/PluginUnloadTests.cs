using System.Runtime.CompilerServices;
using DaxHolder.PluginLoading;
using DaxHolder.Tests.Support;

namespace DaxHolder.Tests.PluginLoading;

public sealed class PluginUnloadTests : IDisposable
{
    private readonly FixturePlugins fixtures = new();

    public void Dispose() => fixtures.Dispose();

    [Fact]
    public void Unload_LetsThePluginsLoadContextBeCollected()
    {
        var dir = fixtures.CompilePlugin("Minimal", FixturePlugins.PluginSource("Minimal", "minimal"));

        var context = LoadUseAndUnload(dir);
        for (var i = 0; i < 50 && context.IsAlive; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }

        context.IsAlive.ShouldBeFalse("nothing of the host may keep an unloaded plugin's context alive");
    }

    [Fact]
    public void Load_WhenThePluginsDisposeThrows_StillLoads_ForTheMachineToMeetItsDisposeThroughTheGuard()
    {
        var source = FixturePlugins.PluginSource("BadDispose", "baddispose")
            .Replace("public sealed class FsType : IFileSystemType", "public sealed class FsType : IFileSystemType, System.IDisposable", StringComparison.Ordinal)
            .Replace("public string Name =>", "public void Dispose() => throw new System.InvalidOperationException(\"dispose exploded\");\n    public string Name =>", StringComparison.Ordinal);
        var dir = fixtures.CompilePlugin("BadDispose", source);
        var catalog = PluginLoader.Load(Sources.Only(dir));
        var plugin = catalog.Plugins.Single();
        catalog.Errors.ShouldBeEmpty();

        Should.NotThrow(catalog.Dispose);

        plugin.IsUnloaded.ShouldBeTrue();
    }

    /// <summary>
    /// The CLI's own process loads plugins for good (PluginLoadOptions.Unloadable = false, so the
    /// runtime uses their ReadyToRun code and tiered compilation): the context is not collectible,
    /// and disposing the catalog, or an override setting a plugin aside, still works.
    /// </summary>
    [Fact]
    public void Load_NotUnloadable_GivesANonCollectibleContext_AndDisposeAndOverridesStillWork()
    {
        var dir = fixtures.CompilePlugin("Minimal", FixturePlugins.PluginSource("Minimal", "minimal"));
        var again = fixtures.CompilePlugin("MinimalAgain", FixturePlugins.PluginSource("Minimal", "minimal"));

        var catalog = PluginLoader.Load(new PluginLoadOptions(Sources.Only(dir, again), ["MinimalAgain.Plugin"]) { Unloadable = false });
        var plugin = catalog.Plugins.ShouldHaveSingleItem();
        catalog.Errors.ShouldBeEmpty();
        catalog.Overridden.ShouldHaveSingleItem();
        var context = plugin.ContextReference.Target.ShouldBeAssignableTo<System.Runtime.Loader.AssemblyLoadContext>()!;
        context.IsCollectible.ShouldBeFalse();

        Should.NotThrow(catalog.Dispose);

        plugin.IsUnloaded.ShouldBeTrue();
    }

    /// <summary>Kept out of line so no local of the caller's frame holds plugin objects.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static WeakReference LoadUseAndUnload(string dir)
    {
        var catalog = PluginLoader.Load(Sources.Only(dir));
        var plugin = catalog.Plugins.Single();
        catalog.FindProvider("minimal")!.FileSystemNames.ShouldBe(["minimal"]);
        var context = plugin.ContextReference;

        catalog.Dispose();

        plugin.IsUnloaded.ShouldBeTrue();
        plugin.Registrations.ShouldBeEmpty();
        return context;
    }
}
