using Backprop.Cli.Models;
using Backprop.Cli.Prediction;
using Backprop.Data;
using Backprop.IO;

namespace Backprop.Fuzz;

/// <summary>
/// The readers that take files from users, what each runs on a file, and the one error each may refuse a bad file
/// with: a <see cref="DataFileException"/> naming the file and offset (model files may also say that the weights do
/// not fit, an <see cref="ArgumentException"/>). Both fuzzers use it: AFL++ through this project, and the managed
/// mutation fuzzer of the tests, which links this file.
/// </summary>
internal static class FuzzTargets
{
    /// <summary>The readers, by the name the command line and the corpus directories use.</summary>
    public static IReadOnlyList<string> Names { get; } = ["idx", "csv", "safetensors", "checkpoint", "png", "model", "gpt"];

    /// <summary>What a reader runs on a file.</summary>
    /// <param name="name">One of <see cref="Names"/>.</param>
    /// <returns>The action.</returns>
    public static Action<string> Reader(string name) => name switch
    {
        "idx" => path => IdxFile.Read(path),
        "csv" => LoadCsv,
        "safetensors" => path => Safetensors.Load(path),
        "checkpoint" => path => Checkpoint.Load(path),
        "png" => path => DigitImage.Load(path),
        "model" => path => ModelFile.Load(path, null, null),
        "gpt" => path => GptFile.Load(path),
        _ => throw new ArgumentException($"fuzz: '{name}' is not a reader; the readers are {string.Join(", ", Names)}.", nameof(name)),
    };

    /// <summary>The file name extension a reader's input is given.</summary>
    /// <param name="name">One of <see cref="Names"/>.</param>
    /// <returns>".idx", ".csv", ".png" or ".safetensors".</returns>
    public static string Extension(string name) => name switch
    {
        "idx" or "csv" or "png" => "." + name,
        _ => ".safetensors",
    };

    /// <summary>True when <paramref name="e"/> is the documented way for reader <paramref name="name"/> to refuse a file.</summary>
    /// <param name="name">One of <see cref="Names"/>.</param>
    /// <param name="e">What the reader threw.</param>
    /// <returns>Whether the exception is allowed.</returns>
    public static bool IsDocumented(string name, Exception e) =>
        e is DataFileException || (name is "model" or "gpt" && e.GetType() == typeof(ArgumentException));

    /// <summary>A CSV file read both ways: with a label column, and with every column a feature.</summary>
    private static void LoadCsv(string path)
    {
        CsvData.Load(path, "label");
        CsvData.Load(path, null);
    }
}
