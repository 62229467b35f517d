using System.Globalization;
using Backprop.Fuzz;
using Xunit.Abstractions;

namespace Backprop.Tests.Fuzz;

/// <summary>
/// Every reader against mutated files (<see cref="MutationFuzzer"/>) seeded from its corpus (fuzz/corpus/READER):
/// a bad file may only be refused with the documented error (<see cref="FuzzTargets.IsDocumented"/>), never with
/// another exception. Each reader gets BACKPROP_FUZZ_SECONDS seconds (2 by default; CI gives it more) or
/// BACKPROP_FUZZ_INPUTS inputs, whichever ends first, from the seed BACKPROP_FUZZ_SEED (fixed by default, so
/// that a failure repeats); the counts and the seed are printed. fuzz/afl.sh fuzzes the same readers with AFL++,
/// guided by coverage.
/// </summary>
public sealed class FuzzTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("backprop-fuzz-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    public static TheoryData<string> Readers => [.. FuzzTargets.Names];

    private static string CorpusDirectory(string reader) => Path.Combine(AppContext.BaseDirectory, "Fuzz", "corpus", reader);

    [Theory]
    [MemberData(nameof(Readers))]
    public void TheCorpusLoads(string reader)
    {
        var files = Directory.GetFiles(CorpusDirectory(reader));
        Assert.NotEmpty(files);
        foreach (var file in files)
        {
            FuzzTargets.Reader(reader)(file);
        }
    }

    [Theory]
    [MemberData(nameof(Readers))]
    public void MutatedFilesAreRefusedWithTheDocumentedErrorOnly(string reader)
    {
        var seconds = double.TryParse(Environment.GetEnvironmentVariable("BACKPROP_FUZZ_SECONDS"), NumberStyles.Float, CultureInfo.InvariantCulture, out var s) ? s : 2;
        var maxInputs = long.TryParse(Environment.GetEnvironmentVariable("BACKPROP_FUZZ_INPUTS"), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : long.MaxValue;
        var seeds = Directory.GetFiles(CorpusDirectory(reader)).Order(StringComparer.Ordinal).Select(File.ReadAllBytes).ToList();
        var seed = ulong.TryParse(Environment.GetEnvironmentVariable("BACKPROP_FUZZ_SEED"), NumberStyles.None, CultureInfo.InvariantCulture, out var given) ? given : 14;
        seed = (seed * 31) + (ulong)reader.Sum(c => c);
        var fuzzer = new MutationFuzzer(seeds, new Generator(seed), text: reader == "csv");
        var file = Path.Combine(_dir, "input" + FuzzTargets.Extension(reader));
        var (inputs, escapes) = fuzzer.Run(FuzzTargets.Reader(reader), e => FuzzTargets.IsDocumented(reader, e), file, TimeSpan.FromSeconds(seconds), maxInputs);
        output.WriteLine($"fuzz {reader}: {inputs:N0} inputs, {escapes.Count} escapes (generator seed {seed})");
        var kept = new List<string>();
        foreach (var (escape, i) in escapes.Select((e, i) => (e, i)))
        {
            var path = Path.Combine(Path.GetTempPath(), $"backprop-fuzz-{reader}-{i}{Path.GetExtension(file)}");
            File.WriteAllBytes(path, escape.Input);
            kept.Add($"{escape.Exception.GetType().Name}: {escape.Exception.Message} (input kept as {path})");
        }

        Assert.True(escapes.Count == 0, $"{reader}: {escapes.Count} inputs escaped the documented error:\n{string.Join("\n", kept)}");
        Assert.True(inputs > 0);
    }
}
