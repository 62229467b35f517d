using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Backprop.Tests.Docs;

/// <summary>Tests that run alone, after the parallel ones: they change the process's working directory, or measure its heap.</summary>
[CollectionDefinition("Alone", DisableParallelization = true)]
public sealed class AloneTests;

/// <summary>
/// Every ```csharp block of README.md and docs/*.md is a whole program that compiles against the library (with
/// a console project's implicit usings, and Backprop's namespaces named by the sample) and runs without an
/// exception, in a temporary working directory; blocks marked ```csharp excerpt quote the library's own
/// source and are skipped.
/// </summary>
[Collection("Alone")]
public partial class DocSamplesTests
{
    private static readonly string Root = FindRoot();

    /// <summary>The usings that a new console project (dotnet new console) has implicitly; Backprop's namespaces the samples name themselves.</summary>
    private const string ImplicitUsings = "global using System; global using System.Collections.Generic; global using System.IO; global using System.Linq; global using System.Net.Http; global using System.Threading; global using System.Threading.Tasks;";

    public static TheoryData<string, int> Samples
    {
        get
        {
            var data = new TheoryData<string, int>();
            foreach (var (file, index, _) in AllSamples())
            {
                data.Add(file, index);
            }

            return data;
        }
    }

    [Fact]
    public void TheGuideHasSamplesForTheNewCapabilities()
    {
        var guide = File.ReadAllText(Path.Combine(Root, "docs", "README.md"));
        foreach (var heading in new[] { "## Writing your own module", "## Writing your own autograd function", "### Data types", "### Indexing, masks and comparisons", "### Parameter groups and schedules" })
        {
            Assert.Contains(heading, guide, StringComparison.Ordinal);
        }

        Assert.True(AllSamples().Count(s => s.File == "docs/README.md") >= 7);
        Assert.DoesNotContain("../shared", File.ReadAllText(Path.Combine(Root, "docs", "performance.md")), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public void SampleCompilesAndRuns(string file, int index)
    {
        var code = AllSamples().Single(s => s.File == file && s.Index == index).Code;
        var assembly = Compile($"{Path.GetFileNameWithoutExtension(file)}_{index}", code, file);
        var directory = Directory.CreateTempSubdirectory("backprop-sample-");
        var previous = Environment.CurrentDirectory;
        var output = Console.Out;
        try
        {
            Environment.CurrentDirectory = directory.FullName;
            Console.SetOut(TextWriter.Null);
            var entry = assembly.EntryPoint!;
            entry.Invoke(null, entry.GetParameters().Length == 0 ? null : [Array.Empty<string>()]);
        }
        catch (TargetInvocationException e)
        {
            throw new InvalidOperationException($"{file} sample {index} threw {e.InnerException!.GetType().Name}: {e.InnerException.Message}\n{code}", e.InnerException);
        }
        finally
        {
            Console.SetOut(output);
            Environment.CurrentDirectory = previous;
            directory.Delete(recursive: true);
        }
    }

    private static Assembly Compile(string name, string code, string file)
    {
        var references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Concat(Directory.GetFiles(AppContext.BaseDirectory, "*.dll").Where(f => Path.GetFileName(f) is "Backprop.dll" or "OnnxSharp.dll" or "Google.Protobuf.dll" or "System.Numerics.Tensors.dll"))
            .DistinctBy(Path.GetFileName)
            .Select(path => MetadataReference.CreateFromFile(path));
        var compilation = CSharpCompilation.Create(
            name,
            [CSharpSyntaxTree.ParseText(code, new CSharpParseOptions(LanguageVersion.Latest)), CSharpSyntaxTree.ParseText(ImplicitUsings)],
            references,
            new CSharpCompilationOptions(OutputKind.ConsoleApplication, nullableContextOptions: NullableContextOptions.Enable));
        using var stream = new MemoryStream();
        var result = compilation.Emit(stream);
        var errors = result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        Assert.True(result.Success, $"{file}: a sample does not compile:\n{string.Join('\n', errors)}\n{code}");
        return Assembly.Load(stream.ToArray());
    }

    private static List<(string File, int Index, string Code)> AllSamples()
    {
        var files = new[] { Path.Combine(Root, "README.md") }.Concat(Directory.GetFiles(Path.Combine(Root, "docs"), "*.md").Order(StringComparer.Ordinal));
        var samples = new List<(string, int, string)>();
        foreach (var path in files)
        {
            var relative = Path.GetRelativePath(Root, path).Replace('\\', '/');
            var index = 0;
            foreach (Match m in Block().Matches(File.ReadAllText(path)))
            {
                if (!m.Groups["info"].Value.Contains("excerpt", StringComparison.Ordinal))
                {
                    samples.Add((relative, index, m.Groups["code"].Value));
                }

                index++;
            }
        }

        return samples;
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Backprop.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("DocSamplesTests: no Backprop.slnx above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex(@"^```csharp(?<info>[^\n]*)\n(?<code>.*?)^```", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex Block();
}
