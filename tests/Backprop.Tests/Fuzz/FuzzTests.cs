using System.Globalization;
using Backprop.Cli.Models;
using Backprop.Cli.Prediction;
using Backprop.Data;
using Backprop.IO;
using Xunit.Abstractions;

namespace Backprop.Tests.Fuzz;

/// <summary>
/// Every reader against mutated files (<see cref="MutationFuzzer"/>) seeded from its corpus (Fuzz/corpus/READER):
/// a bad file may only be refused with the documented error, a <see cref="DataFileException"/> naming the file and
/// offset (model files may also say that the weights do not fit, an <see cref="ArgumentException"/>), never with
/// another exception. Each reader gets BACKPROP_FUZZ_SECONDS seconds (2 by default; CI gives it more) or
/// BACKPROP_FUZZ_INPUTS inputs, whichever ends first, from the seed BACKPROP_FUZZ_SEED (fixed by default, so
/// that a failure repeats); the counts and the seed are printed.
/// </summary>
public sealed class FuzzTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("backprop-fuzz-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    public static TheoryData<string> Readers => ["idx", "csv", "safetensors", "checkpoint", "png", "model", "gpt"];

    private static string CorpusDirectory(string reader) => Path.Combine(AppContext.BaseDirectory, "Fuzz", "corpus", reader);

    /// <summary>What each reader runs on a file.</summary>
    private static Action<string> Reader(string name) => name switch
    {
        "idx" => path => IdxFile.Read(path),
        "csv" => LoadCsv,
        "safetensors" => path => Safetensors.Load(path),
        "checkpoint" => path => Checkpoint.Load(path),
        "png" => path => DigitImage.Load(path),
        "model" => path => ModelFile.Load(path, null, null),
        "gpt" => path => GptFile.Load(path),
        _ => throw new ArgumentException(name),
    };

    /// <summary>A CSV file read both ways: with a label column, and with every column a feature.</summary>
    private static void LoadCsv(string path)
    {
        CsvData.Load(path, "label");
        CsvData.Load(path, null);
    }

    private static bool Allowed(string reader, Exception e) =>
        e is DataFileException || (reader is "model" or "gpt" && e.GetType() == typeof(ArgumentException));

    [Theory]
    [MemberData(nameof(Readers))]
    public void TheCorpusLoads(string reader)
    {
        var files = Directory.GetFiles(CorpusDirectory(reader));
        Assert.NotEmpty(files);
        foreach (var file in files)
        {
            Reader(reader)(file);
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
        var file = Path.Combine(_dir, "input" + Path.GetExtension(Directory.GetFiles(CorpusDirectory(reader))[0]));
        var (inputs, escapes) = fuzzer.Run(Reader(reader), e => Allowed(reader, e), file, TimeSpan.FromSeconds(seconds), maxInputs);
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
