// Sequence classification with an LSTM: each row of a CSV file is a text and its label; the characters are
// embedded, an LSTM reads them, and its state after a text's last character is classified.
//
//   dotnet run -c Release --project examples/SequenceClassifier -- [FILE.csv] [--epochs N] [--limit N] [--seed N]
//
// FILE.csv has a header with a "text" and a "label" column (any others are ignored; fields may be quoted, with ""
// for a quote). Without a file, the demo data is made from the bundled Tiny Shakespeare: its lines, half of them
// reversed, labelled "forward" or "reversed", written to a CSV file and read back like any other.
using Backprop;
using Backprop.Data;
using Backprop.NN;
using Backprop.NN.Losses;
using Backprop.Optim;

try
{
    return Run(args);
}
catch (Exception e) when (e is InvalidDataException or IOException or ArgumentException or FormatException or OverflowException)
{
    Console.Error.WriteLine(e.Message);
    return 1;
}

static int Run(string[] args)
{
    const int BatchSize = 32, MaxLength = 80, EmbeddingSize = 16, HiddenSize = 64;
    var options = Options.Parse(args);
    var g = new Generator(options.Seed);
    var path = options.File ?? Demo.Write(g);
    var rows = Csv.Read(path);
    if (options.File is null)
    {
        File.Delete(path);
        path = "the demo data (Tiny Shakespeare's lines, half of them reversed)";
    }
    if (options.Limit is int limit && limit < rows.Count)
    {
        rows = [.. g.Permutation(rows.Count).Take(limit).Order().Select(i => rows[i])];
    }

    // Characters become ids 1.. (0 pads a batch to its longest text); labels become classes 0.., in sorted order.
    var vocabulary = CharVocabulary.FromText(string.Concat(rows.Select(r => r.Text)));
    var classes = rows.Select(r => r.Label).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
    if (classes.Length < 2)
    {
        Console.Error.WriteLine($"{path}: every row has the label \"{classes[0]}\"; classification needs at least two.");
        return 1;
    }

    var examples = rows.Select(r => (Ids: vocabulary.Encode(r.Text.Length > MaxLength ? r.Text[..MaxLength] : r.Text).Select(id => id + 1).ToArray(), Class: (long)Array.IndexOf(classes, r.Label))).ToArray();
    var order = g.Permutation(examples.Length);
    var testCount = Math.Max(1, examples.Length / 10);
    var test = order.Take(testCount).Select(i => examples[i]).ToArray();
    var train = order.Skip(testCount).Select(i => examples[i]).ToArray();
    Console.WriteLine($"{path}: {rows.Count:N0} rows, {vocabulary.Count} characters, classes {string.Join(", ", classes)}; {train.Length:N0} to train on, {test.Length:N0} to test");

    var embedding = new Embedding(vocabulary.Count + 1, EmbeddingSize, paddingIdx: 0, generator: g);
    var lstm = new LSTM(EmbeddingSize, HiddenSize, batchFirst: true, generator: g);
    var head = new Linear(HiddenSize, classes.Length, generator: g);
    var optimizer = new Adam([.. embedding.Parameters(), .. lstm.Parameters(), .. head.Parameters()], learningRate: 0.005f);
    var loss = new CrossEntropyLoss();

    // With a forward LSTM the state after a text's last real character does not depend on the padding after it.
    Tensor Logits((long[] Ids, long Class)[] batch, out Tensor labels)
    {
        var steps = batch.Max(e => e.Ids.Length);
        var ids = new long[batch.Length * steps];
        var last = new long[batch.Length];
        for (var b = 0; b < batch.Length; b++)
        {
            batch[b].Ids.CopyTo(ids, b * steps);
            last[b] = (b * steps) + batch[b].Ids.Length - 1;
        }

        labels = Tensor.FromArray(batch.Select(e => e.Class).ToArray(), batch.Length);
        var (output, _) = lstm.Forward(embedding.Forward(Tensor.FromArray(ids, batch.Length, steps)));
        return head.Forward(output.Reshape(batch.Length * steps, HiddenSize).IndexSelect(0, Tensor.FromArray(last, batch.Length)));
    }

    double accuracy = 0;
    for (var epoch = 1; epoch <= options.Epochs; epoch++)
    {
        var shuffled = g.Permutation(train.Length);
        double total = 0;
        var batches = 0;
        for (var start = 0; start < train.Length; start += BatchSize)
        {
            using var scope = Tensor.NewScope();
            var batch = shuffled.Skip(start).Take(BatchSize).Select(i => train[i]).ToArray();
            var value = loss.Forward(Logits(batch, out var labels), labels);
            optimizer.ZeroGrad();
            value.Backward();
            optimizer.Step();
            total += value.Item();
            batches++;
        }

        var correct = 0;
        using (Tensor.NoGrad())
        {
            for (var start = 0; start < test.Length; start += BatchSize)
            {
                using var scope = Tensor.NewScope();
                var batch = test.Skip(start).Take(BatchSize).ToArray();
                var predicted = Logits(batch, out var labels).Argmax(1).ToArray<long>();
                correct += predicted.Where((p, i) => p == batch[i].Class).Count();
            }
        }

        accuracy = correct / (double)test.Length;
        Console.WriteLine(FormattableString.Invariant($"epoch {epoch}/{options.Epochs}  train loss {total / batches:F4}  test accuracy {accuracy * 100:F2}%"));
    }

    Console.WriteLine(FormattableString.Invariant($"test accuracy {accuracy * 100:F2}% after {options.Epochs} epochs"));
    return 0;
}

/// <summary>The command line: an optional CSV file and the options.</summary>
internal sealed record Options(string? File, int Epochs, int? Limit, ulong Seed)
{
    public static Options Parse(string[] args)
    {
        string? file = null;
        int epochs = 3;
        int? limit = null;
        ulong seed = 1;
        for (var i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            switch (args[i])
            {
                case "--epochs": epochs = int.Parse(Value(), System.Globalization.CultureInfo.InvariantCulture); break;
                case "--limit": limit = int.Parse(Value(), System.Globalization.CultureInfo.InvariantCulture); break;
                case "--seed": seed = ulong.Parse(Value(), System.Globalization.CultureInfo.InvariantCulture); break;
                default: file = args[i]; break;
            }
        }

        return new Options(file, epochs, limit, seed);
    }
}

/// <summary>Reads the "text" and "label" columns of a CSV file, naming the file and line of anything wrong.</summary>
internal static class Csv
{
    public static List<(string Text, string Label)> Read(string path)
    {
        using var reader = new StreamReader(path);
        var header = Fields(reader.ReadLine() ?? throw new InvalidDataException($"{path}: the file is empty; it needs a header with \"text\" and \"label\" columns."), path, 1);
        int text = Column(header, "text", path), label = Column(header, "label", path);
        var rows = new List<(string, string)>();
        var number = 1;
        for (var line = reader.ReadLine(); line is not null; line = reader.ReadLine())
        {
            number++;
            if (line.Length == 0)
            {
                continue;
            }

            var fields = Fields(line, path, number);
            if (fields.Count != header.Count)
            {
                throw new InvalidDataException($"{path}:{number}: {fields.Count} fields where the header has {header.Count}.");
            }

            if (fields[text].Length == 0)
            {
                throw new InvalidDataException($"{path}:{number}: the text is empty.");
            }

            rows.Add((fields[text], fields[label]));
        }

        return rows.Count > 0 ? rows : throw new InvalidDataException($"{path}: no rows after the header.");
    }

    private static int Column(List<string> header, string name, string path)
    {
        var index = header.FindIndex(h => string.Equals(h.Trim(), name, StringComparison.OrdinalIgnoreCase));
        return index >= 0 ? index : throw new InvalidDataException($"{path}:1: the header ({string.Join(",", header)}) has no \"{name}\" column.");
    }

    /// <summary>The fields of one line: separated by commas, each plain or quoted (a quote inside written "").</summary>
    private static List<string> Fields(string line, string path, int number)
    {
        var fields = new List<string>();
        var field = new System.Text.StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    field.Append(c);
                }
            }
            else if (c == '"' && field.Length == 0)
            {
                quoted = true;
            }
            else if (c == ',')
            {
                fields.Add(field.ToString());
                field.Clear();
            }
            else
            {
                field.Append(c);
            }
        }

        if (quoted)
        {
            throw new InvalidDataException($"{path}:{number}: a quoted field is not closed.");
        }

        fields.Add(field.ToString());
        return fields;
    }

    /// <summary>A field as CSV writes it: quoted, with its quotes doubled.</summary>
    public static string Quote(string field) => $"\"{field.Replace("\"", "\"\"", StringComparison.Ordinal)}\"";
}

/// <summary>The demo data: Tiny Shakespeare's spoken lines, half of them reversed.</summary>
internal static class Demo
{
    public static string Write(Generator g)
    {
        var source = Path.Combine(AppContext.BaseDirectory, "tinyshakespeare.txt");
        var lines = File.ReadAllLines(source).Where(l => l.Length >= 12 && !l.EndsWith(':')).ToArray();
        var path = Path.Combine(Path.GetTempPath(), $"sequence-classifier-demo-{Environment.ProcessId}.csv");
        using (var writer = new StreamWriter(path))
        {
            writer.WriteLine("text,label");
            foreach (var line in lines)
            {
                var reversed = g.NextInt(2) == 1;
                writer.WriteLine($"{Csv.Quote(reversed ? new string(line.Reverse().ToArray()) : line)},{(reversed ? "reversed" : "forward")}");
            }
        }

        return path;
    }
}
