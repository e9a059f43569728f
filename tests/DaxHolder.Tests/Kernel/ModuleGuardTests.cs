using DaxHolder.Abstractions;
using DaxHolder.Abstractions.Fs;
using DaxHolder.Kernel.Modules;
using DaxHolder.PluginLoading;
using DaxHolder.Tests.PluginLoading;
using DaxHolder.Tests.Support;

namespace DaxHolder.Tests.Kernel;

/// <summary>Every call into a plugin goes through the kernel's guard: its exception is a plugin fault naming plugin, version, call and arguments, never the host's crash.</summary>
public sealed class ModuleGuardTests : IDisposable
{
    private readonly FixturePlugins fixtures = new();

    public void Dispose() => fixtures.Dispose();

    [Fact]
    public void ACallThatThrows_BecomesAPluginFault_NamingPluginVersionCallAndArguments()
    {
        var dir = fixtures.CompilePlugin("Thrower", FixturePlugins.PluginSource("Thrower", "thrower",
            mkfsBody: "throw new System.InvalidOperationException(\"mkfs exploded\")"));
        using var catalog = PluginLoader.Load(Sources.Only(dir));
        var type = ShippedPlugins.Register(catalog, "thrower").Type;

        var e = Should.Throw<PluginFault>(() => type.Mkfs(new MkfsRequest(new TestBlockDevice(), FsOptions.Empty)));

        e.Module.Name.ShouldBe("Thrower.Plugin", "a plugin without a declared name is named after its assembly, not its folder");
        e.Call.ShouldBe("IFileSystemType.Mkfs");
        e.Kind.ShouldBe(PluginFaultKind.Threw);
        e.Message.ShouldStartWith("plugin 'Thrower.Plugin' 0.0.0.0 faulted in IFileSystemType.Mkfs(MkfsRequest { Device = ");
        e.Message.ShouldEndWith("): InvalidOperationException: mkfs exploded");
    }

    [Fact]
    public void ContractObjectsThePluginReturns_InsideErrnoOr_AreGuardedToo()
    {
        var dir = fixtures.CompilePlugin("Nested", FixturePlugins.PluginSource("Nested", "nested",
            mkfsBody: "ErrnoOr<IFileSystemImage>.Ok(new Image(request.Device))",
            extra: """
                public sealed class Image : IFileSystemImage
                {
                    private readonly DaxHolder.Abstractions.Kernel.IBlockDevice device;
                    public Image(DaxHolder.Abstractions.Kernel.IBlockDevice device) { this.device = device; }
                    public string FileSystemType => throw new System.NotSupportedException("no type today");
                    public DaxHolder.Abstractions.Kernel.IBlockDevice Device => device;
                    public DaxHolder.Abstractions.Kernel.IBlockDevice? LogDevice => null;
                    public DaxHolder.Abstractions.Kernel.IBlockDevice? RealtimeDevice => null;
                }
                """));
        using var catalog = PluginLoader.Load(Sources.Only(dir));

        var image = ShippedPlugins.Register(catalog, "nested").Type.Mkfs(new MkfsRequest(new TestBlockDevice(), FsOptions.Empty)).Value;

        image.Device.Name.ShouldBe("pmem0");
        Should.Throw<PluginFault>(() => image.FileSystemType).Call.ShouldBe("IFileSystemImage.FileSystemType");
    }

    [Fact]
    public void ConfigureServicesThatThrows_IsALoadError_NotACrash()
    {
        var dir = fixtures.CompilePlugin("BadRegister", """
            using DaxHolder.Abstractions.Plugins;
            using Microsoft.Extensions.DependencyInjection;
            [assembly: DaxHolderPlugin(typeof(BadRegister.Entry))]
            namespace BadRegister;
            public sealed class Entry : IDaxHolderPlugin { public void ConfigureServices(IServiceCollection services) => throw new System.ArgumentException("no services for you"); }
            """);

        using var catalog = PluginLoader.Load(Sources.Only(dir));

        catalog.Plugins.ShouldBeEmpty();
        catalog.Errors.Single().Problem.ShouldBe("registering its services threw ArgumentException: no services for you");
    }

    [Fact]
    public void Wrap_DoesNotWrapAGuardTwice()
    {
        var dir = fixtures.CompilePlugin("Once", FixturePlugins.PluginSource("Once", "once"));
        using var catalog = PluginLoader.Load(Sources.Only(dir));
        var entry = ShippedPlugins.Register(catalog, "once");
        var guarded = entry.Type;

        ModuleGuard.Wrap(guarded, entry.Scope).ShouldBeSameAs(guarded);
        guarded.Mkfs(new MkfsRequest(new TestBlockDevice(), FsOptions.Empty)).Error.ShouldBe(Errno.EOPNOTSUPP);
    }
}
