using System.Buffers.Binary;
using System.IO.Compression;
using Backprop.Data;

namespace Backprop.Tests.Data;

public sealed class DataTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("backprop-data-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string WriteIdx(string name, int[] dims, byte[] data, bool gzip = false)
    {
        var bytes = new byte[4 + (4 * dims.Length) + data.Length];
        bytes[2] = 0x08;
        bytes[3] = (byte)dims.Length;
        for (var i = 0; i < dims.Length; i++)
        {
            BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4 + (4 * i)), dims[i]);
        }

        data.CopyTo(bytes, 4 + (4 * dims.Length));
        var path = Path.Combine(_dir, name);
        if (gzip)
        {
            using var file = File.Create(path);
            using var zip = new GZipStream(file, CompressionLevel.Fastest);
            zip.Write(bytes);
        }
        else
        {
            File.WriteAllBytes(path, bytes);
        }

        return path;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void IdxRoundTrip(bool gzip)
    {
        var data = Enumerable.Range(0, 24).Select(i => (byte)(i * 10)).ToArray();
        var idx = IdxFile.Read(WriteIdx("x.idx", [2, 3, 4], data, gzip));
        Assert.Equal([2, 3, 4], idx.Dims);
        Assert.Equal(data, idx.Data.ToArray());
    }

    [Fact]
    public void TruncatedIdxNamesTheFileOffsetAndExpectation()
    {
        var path = WriteIdx("t.idx", [2, 3], new byte[5]);
        var ex = Assert.Throws<DataFileException>(() => IdxFile.Read(path));
        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
        Assert.Equal(12, ex.Offset);
        Assert.Contains("truncated", ex.Message, StringComparison.Ordinal);
        Assert.Contains("need 6 bytes", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CorruptIdxHeadersAreRejected()
    {
        var path = Path.Combine(_dir, "bad.idx");
        File.WriteAllBytes(path, [1, 2, 8, 1, 0, 0, 0, 1, 5]);
        Assert.Contains("not an IDX file", Assert.Throws<DataFileException>(() => IdxFile.Read(path)).Message, StringComparison.Ordinal);
        File.WriteAllBytes(path, [0, 0, 0x0D, 1, 0, 0, 0, 1, 5]);
        Assert.Equal(2, Assert.Throws<DataFileException>(() => IdxFile.Read(path)).Offset);
        File.WriteAllBytes(path, [0, 0, 8, 3, 0, 0]);
        Assert.Contains("header needs 16 bytes", Assert.Throws<DataFileException>(() => IdxFile.Read(path)).Message, StringComparison.Ordinal);
        File.WriteAllBytes(path, [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0xff, 0xff, 0xff, 0xff]);
        Assert.Contains("gzip", Assert.Throws<DataFileException>(() => IdxFile.Read(path)).Message, StringComparison.Ordinal);
        var gz = WriteIdx("cut.idx.gz", [100], new byte[100], gzip: true);
        File.WriteAllBytes(gz, File.ReadAllBytes(gz)[..20]);
        Assert.Throws<DataFileException>(() => IdxFile.Read(gz));
        Assert.Throws<FileNotFoundException>(() => IdxFile.Read(Path.Combine(_dir, "missing.idx")));
    }

    [Fact]
    public void BundledMnistLoads()
    {
        var test = Mnist.Load(Path.Combine(AppContext.BaseDirectory, "data", "mnist"), train: false);
        Assert.Equal(10_000, test.Count);
        Assert.Equal([10_000, 784], test.Inputs.Shape);
        Assert.Equal(7f, test.Targets[0]);
        Assert.InRange(test.Inputs.Max().Item(), 0.99f, 1f);
        Assert.Equal(0f, test.Inputs.Min().Item());

        // Every pixel is its byte scaled to [0, 1], as a plain loop scales it (the load converts on every thread).
        var bytes = IdxFile.Read(Path.Combine(AppContext.BaseDirectory, "data", "mnist", "t10k-images-idx3-ubyte.gz")).Data.ToArray();
        Assert.Equal(bytes.Select(b => b * (1f / 255f)), test.Inputs.ToArray());
    }

    [Fact]
    public void MnistBatchesScaleTheirOwnRows()
    {
        var (train, test) = Mnist.LoadTrainAndTest(Path.Combine(AppContext.BaseDirectory, "data", "mnist"));
        Assert.Equal((60_000, 10_000, 784), (train.Count, test.Count, train.Features));
        var bytes = test.Pixels.ToArray();
        int[] indices = [9_999, 0, 17, 17, 4_321];
        var batch = test.GetBatch(indices);
        Assert.Equal([5, 784], batch.Input.Shape);
        var expected = indices.SelectMany(i => bytes[(i * 784)..((i + 1) * 784)].Select(b => b * (1f / 255f)));
        Assert.Equal(expected, batch.Input.ToArray());
        Assert.Equal(indices.Select(i => test.Targets.AsSpan<long>()[i]), batch.Target.ToArray<long>());

        // Take shares the bytes; the batch of a taken set is the batch of the whole one.
        var first = test.Take(20);
        Assert.Equal(20, first.Count);
        Assert.Equal(test.GetBatch([3, 19]).Input.ToArray(), first.GetBatch([3, 19]).Input.ToArray());
        Assert.Contains("index 20 is out of range for 20 images", Assert.Throws<ArgumentOutOfRangeException>(() => first.GetBatch([20])).Message, StringComparison.Ordinal);
        Assert.Equal([20, 784], first.Inputs.Shape);
    }

    [Fact]
    public void MnistWithMismatchedLabelsIsRejected()
    {
        WriteIdx("t10k-images-idx3-ubyte", [3, 2, 2], new byte[12]);
        WriteIdx("t10k-labels-idx1-ubyte", [2], [1, 2]);
        var ex = Assert.Throws<DataFileException>(() => Mnist.Load(_dir, train: false));
        Assert.Contains("expected 3 labels", ex.Message, StringComparison.Ordinal);
        Assert.Throws<FileNotFoundException>(() => Mnist.Load(_dir, train: true));
    }

    [Fact]
    public void DataLoaderBatchesShufflesAndIsSeeded()
    {
        var data = new TensorDataset(Tensor.Arange(10).Reshape(10, 1), Tensor.Arange(10));
        var plain = new DataLoader(data, 4).ToList();
        Assert.Equal([4, 4, 2], plain.Select(b => b.Input.Size(0)));
        Assert.Equal([0f, 1f, 2f, 3f], plain[0].Target.ToArray());
        Assert.Equal(2, new DataLoader(data, 4, dropLast: true).Count());

        var loader = new DataLoader(data, 3, shuffle: true, generator: new Generator(5), prefetch: true);
        Assert.True(loader.Prefetch);
        var epoch1 = loader.SelectMany(b => b.Target.ToArray()).ToArray();
        var epoch2 = loader.SelectMany(b => b.Target.ToArray()).ToArray();
        Assert.Equal(Enumerable.Range(0, 10).Select(i => (float)i), epoch1.Order());
        Assert.NotEqual(epoch1, epoch2);
        var inline = new DataLoader(data, 3, shuffle: true, generator: new Generator(5), prefetch: false);
        Assert.False(inline.Prefetch);
        Assert.Equal(epoch1, inline.SelectMany(b => b.Target.ToArray()).ToArray());
        Assert.Throws<ArgumentOutOfRangeException>(() => new DataLoader(data, 0));
    }

    [Fact]
    public void RandomSplitPartitionsTheSamples()
    {
        var data = new TensorDataset(Tensor.Arange(100).Reshape(100, 1), Tensor.Arange(100));
        var parts = data.RandomSplit([0.8f, 0.2f], new Generator(1));
        Assert.Equal(80, parts[0].Count);
        Assert.Equal(20, parts[1].Count);
        Assert.Equal(Enumerable.Range(0, 100), parts[0].Indices.Concat(parts[1].Indices).Order());
        Assert.Equal(parts[1].Indices, data.RandomSplit([0.8f, 0.2f], new Generator(1))[1].Indices);
        Assert.Equal((float)parts[1].Indices[3], parts[1].GetBatch([3]).Target.Item());
        Assert.Throws<ArgumentException>(() => data.RandomSplit([0.5f, 0.6f], new Generator(1)));
    }

    [Fact]
    public void CsvLoadsFeaturesAndLabelsByName()
    {
        var path = Path.Combine(_dir, "d.csv");
        File.WriteAllText(path, "a,label,b\n1,0,2\n3.5,1,-4\n\n5,2,6e1\n");
        var csv = CsvData.Load(path, "label");
        Assert.Equal(["a", "b"], csv.FeatureNames);
        Assert.Equal([1f, 2f, 3.5f, -4f, 5f, 60f], csv.Features.ToArray());
        Assert.Equal([0f, 1f, 2f], csv.Labels!.ToArray());
        Assert.True(csv.LabelsAreClasses);
        Assert.Equal([3, 3], CsvData.Load(path, null).Features.Shape);
    }

    [Fact]
    public void CsvMistakesAreNamed()
    {
        var path = Path.Combine(_dir, "e.csv");
        File.WriteAllText(path, "a,b\n1,2\n3,x\n");
        var ex = Assert.Throws<DataFileException>(() => CsvData.Load(path, "b"));
        Assert.Contains("line 3, column 'b'", ex.Message, StringComparison.Ordinal);
        var missing = Assert.Throws<DataFileException>(() => CsvData.Load(path, "y"));
        Assert.Contains("'y' is not in the header", missing.Message, StringComparison.Ordinal);
        Assert.Contains("a, b", missing.Message, StringComparison.Ordinal);
        File.WriteAllText(path, "a,b\n1,2,3\n");
        Assert.Contains("expected 2 fields", Assert.Throws<DataFileException>(() => CsvData.Load(path, "a")).Message, StringComparison.Ordinal);

        // A repeated column name would leave which one is the label to chance.
        File.WriteAllText(path, "label,a,label\n1,2,3\n");
        Assert.Contains("'label' appears twice (columns 1 and 3)", Assert.Throws<DataFileException>(() => CsvData.Load(path, "label")).Message, StringComparison.Ordinal);

        // Labels that float32 cannot hold exactly are not class indices.
        File.WriteAllText(path, "a,label\n1,0\n2,1e9\n");
        Assert.False(CsvData.Load(path, "label").LabelsAreClasses);
        Assert.Null(CsvData.Load(path, "label").ClassLabels);
        File.WriteAllText(path, "a,label\n1,0\n2,16777215\n");
        Assert.True(CsvData.Load(path, "label").LabelsAreClasses);
    }

    [Fact]
    public void IdxDimensionsWhoseProductOverflowsAreRefused()
    {
        var path = WriteIdx("huge.idx", [65536, 65536, 65536, 65536], []);
        var e = Assert.Throws<DataFileException>(() => IdxFile.Read(path));
        Assert.Contains("more than 2147483647 elements", e.Message, StringComparison.Ordinal);
        Assert.Equal(8, e.Offset);
    }

    [Fact]
    public void StandardizerCentresAndScalesColumns()
    {
        var x = Tensor.FromArray([1f, 10f, 3f, 10f, 5f, 10f], 3, 2);
        var s = Standardizer.Fit(x);
        Assert.Equal([3f, 10f], s.Mean);
        Assert.Equal(1f, s.Std[1]);
        var y = s.Apply(x);
        Assert.Equal(0f, y.Mean(0).ToArray()[0], 6);
        Assert.Equal(1f, y.Pow(2f).Mean(0).ToArray()[0], 5);
        Assert.Equal(0f, y.ToArray()[1]);
    }
}
