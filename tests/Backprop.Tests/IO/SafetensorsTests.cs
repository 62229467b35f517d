using System.Buffers.Binary;
using System.Text;
using Backprop.IO;

namespace Backprop.Tests.IO;

public sealed class SafetensorsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("backprop-st-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string PathOf(string name) => Path.Combine(_dir, name);

    /// <summary>Writes a file with the given JSON header and data bytes.</summary>
    private string Raw(string name, string header, byte[] data)
    {
        var h = Encoding.UTF8.GetBytes(header);
        var bytes = new byte[8 + h.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)h.Length);
        h.CopyTo(bytes, 8);
        data.CopyTo(bytes, 8 + h.Length);
        var path = PathOf(name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    [Fact]
    public void RoundTripKeepsNamesShapesValuesAndMetadata()
    {
        var a = Tensor.Randn([3, 4], new Generator(1));
        var b = Tensor.Scalar(7f);
        var c = Tensor.Randn([2, 1, 3], new Generator(2));
        var path = PathOf("m.safetensors");
        Safetensors.Save(path, [new("a", a), new("b", b), new("layer.c", c)], new Dictionary<string, string> { ["layers"] = "4,3" });
        var bytes = File.ReadAllBytes(path);
        var headerLength = (long)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        Assert.Equal(0, (8 + headerLength) % 8);
        var loaded = Safetensors.Load(path);
        Assert.Equal(["a", "b", "layer.c"], loaded.Tensors.Keys);
        Assert.Equal(a.ToArray(), loaded.Tensors["a"].ToArray());
        Assert.Empty(loaded.Tensors["b"].Shape);
        Assert.Equal([2, 1, 3], loaded.Tensors["layer.c"].Shape);
        Assert.Equal("4,3", loaded.Metadata["layers"]);
        Assert.Empty(Directory.GetFiles(_dir, "*.tmp"));
    }

    [Theory]
    [InlineData("F64", 0.0)]
    [InlineData("F16", 1e-3)]
    [InlineData("BF16", 8e-3)]
    public void WritesAndReadsEveryFloatDtype(string dtype, double relative)
    {
        var t = Tensor.Randn([5, 7], new Generator(3));
        var path = PathOf($"{dtype}.safetensors");
        Safetensors.Save(path, [new("w", t)], dtype: dtype);
        var loaded = Safetensors.Load(path);
        Assert.Equal(dtype, loaded.Dtypes["w"]);
        var bytesPerValue = dtype switch { "F64" => 8, _ => 2 };
        Assert.Equal(35 * bytesPerValue, new FileInfo(path).Length - 8 - (long)BinaryPrimitives.ReadUInt64LittleEndian(File.ReadAllBytes(path)));
        var expected = t.ToArray();
        var actual = loaded.Tensors["w"].Float().ToArray();
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= relative * Math.Abs(expected[i]) + 1e-7, $"{dtype} {i}: {expected[i]} vs {actual[i]}");
        }

        Assert.Throws<ArgumentException>(() => Safetensors.Save(PathOf("bad.safetensors"), [new("w", t)], dtype: "I8"));
        Assert.Equal(dtype == "F64" ? DType.Float64 : DType.Float32, loaded.Tensors["w"].DType);
        Assert.False(File.Exists(PathOf("bad.safetensors")));
    }

    [Fact]
    public void Bf16RoundsToNearestEvenLikeThePyTorchFixture()
    {
        var full = Safetensors.Load(Path.Combine(AppContext.BaseDirectory, "Fixtures", "pytorch", "mlp3.safetensors")).Tensors;
        var path = PathOf("mine.bf16.safetensors");
        Safetensors.Save(path, full, dtype: "BF16");
        var mine = Safetensors.Load(path).Tensors;
        var theirs = Safetensors.Load(Path.Combine(AppContext.BaseDirectory, "Fixtures", "pytorch", "mlp3.bf16.safetensors")).Tensors;
        foreach (var key in theirs.Keys)
        {
            Assert.Equal(theirs[key].ToArray(), mine[key].ToArray());
        }
    }

    [Fact]
    public void EveryDTypeRoundTripsInItsOwnType()
    {
        var path = PathOf("dtypes.safetensors");
        var f32 = Tensor.Randn([2, 3], new Generator(4));
        var f64 = Tensor.FromArray([Math.PI, -1e-300, 1e300]);
        var i64 = Tensor.FromArray([long.MinValue, -1L, 0L, long.MaxValue], 2, 2);
        var b = Tensor.FromArray([true, false, true]);
        Safetensors.Save(path, [new("f32", f32), new("f64", f64), new("i64", i64), new("b", b)]);
        var loaded = Safetensors.Load(path);
        Assert.Equal(["F32", "F64", "I64", "BOOL"], loaded.Dtypes.Values);
        Assert.True(loaded.Tensors["f32"].Equal(f32));
        Assert.True(loaded.Tensors["f64"].Equal(f64));
        Assert.True(loaded.Tensors["i64"].Equal(i64));
        Assert.True(loaded.Tensors["b"].Equal(b));
        Assert.Equal((4 * 6) + (8 * 3) + (8 * 4) + 3, new FileInfo(path).Length - 8 - (long)BinaryPrimitives.ReadUInt64LittleEndian(File.ReadAllBytes(path)));

        // A dtype for the floats leaves the integers and bools in theirs.
        Safetensors.Save(path, [new("f64", f64), new("i64", i64)], dtype: "F32");
        var narrowed = Safetensors.Load(path);
        Assert.Equal(["F32", "I64"], narrowed.Dtypes.Values);
        Assert.True(narrowed.Tensors["i64"].Equal(i64));
    }

    [Fact]
    public void AHeaderThatIsNotUtf8NamesTheFileAndTheByte()
    {
        var header = "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"xx\":1}"u8.ToArray();
        header[header.Length - 6] = 0xFF;
        var path = PathOf("utf8.safetensors");
        var padded = header.Concat(Enumerable.Repeat((byte)' ', (8 - (header.Length % 8)) % 8)).ToArray();
        var bytes = new byte[8 + padded.Length + 4];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)padded.Length);
        padded.CopyTo(bytes, 8);
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<DataFileException>(() => Safetensors.Load(path));
        Assert.Contains("not valid UTF-8", e.Message, StringComparison.Ordinal);
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Equal(8 + header.Length - 6, e.Offset);
    }

    [Fact]
    public void TrailingAndInsertedBytesAreRefused()
    {
        var path = PathOf("exact.safetensors");
        Safetensors.Save(path, [new("a", Tensor.Ones(3)), new("b", Tensor.Ones(2))]);
        var bytes = File.ReadAllBytes(path);
        var headerEnd = 8 + (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes);

        File.WriteAllBytes(path, [.. bytes, 0, 0, 0, 0]);
        var trailing = Assert.Throws<DataFileException>(() => Safetensors.Load(path));
        Assert.Contains("4 bytes follow the last tensor", trailing.Message, StringComparison.Ordinal);
        Assert.Equal(bytes.Length, trailing.Offset);

        var gap = Raw("gap.safetensors", """{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}""", new byte[12]);
        Assert.Contains("4 bytes of the data section belong to no tensor (before 'b')", Assert.Throws<DataFileException>(() => Safetensors.Load(gap)).Message, StringComparison.Ordinal);
        Assert.True(headerEnd < bytes.Length);
    }

    [Fact]
    public void OffsetsThatAreNotNumbersAreRefusedByName()
    {
        // Found by AFL++ on the checkpoint reader: a string offset escaped as System.Text.Json's InvalidOperationException.
        var path = Raw("text.safetensors", """{"a":{"dtype":"F32","shape":[1],"data_offsets":["0",4]}}""", new byte[4]);
        var e = Assert.Throws<DataFileException>(() => Safetensors.Load(path));
        Assert.Contains("tensor 'a': data_offsets must be integers", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NarrowIntegersWidenToInt64AndBadBoolsAreRefused()
    {
        var data = new byte[] { 0xFF, 0x7F, 0x00, 0x80, 0xFE, 200, 1, 0 };
        var path = Raw("ints.safetensors", """{"a":{"dtype":"I16","shape":[2],"data_offsets":[0,4]},"b":{"dtype":"I8","shape":[1],"data_offsets":[4,5]},"c":{"dtype":"U8","shape":[1],"data_offsets":[5,6]},"d":{"dtype":"BOOL","shape":[2],"data_offsets":[6,8]}}""", data);
        var loaded = Safetensors.Load(path);
        Assert.Equal([32767L, -32768], loaded.Tensors["a"].ToArray<long>());
        Assert.Equal([-2L], loaded.Tensors["b"].ToArray<long>());
        Assert.Equal([200L], loaded.Tensors["c"].ToArray<long>());
        Assert.Equal([true, false], loaded.Tensors["d"].ToArray<bool>());
        var bad = Raw("bool.safetensors", """{"d":{"dtype":"BOOL","shape":[2],"data_offsets":[0,2]}}""", [1, 7]);
        var e = Assert.Throws<DataFileException>(() => Safetensors.Load(bad));
        Assert.Contains("0 or 1", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadsF64()
    {
        var data = new byte[16];
        BinaryPrimitives.WriteDoubleLittleEndian(data, 1.5);
        BinaryPrimitives.WriteDoubleLittleEndian(data.AsSpan(8), -2.25);
        var path = Raw("f64.safetensors", """{"x":{"dtype":"F64","shape":[2],"data_offsets":[0,16]}}""", data);
        var loaded = Safetensors.Load(path);
        Assert.Equal(DType.Float64, loaded.Tensors["x"].DType);
        Assert.Equal([1.5, -2.25], loaded.Tensors["x"].ToArray<double>());
        Assert.Equal("F64", loaded.Dtypes["x"]);
    }

    [Theory]
    [InlineData("""{"x":{"dtype":"F32","shape":[2],"data_offsets":[0,12]}}""", 8, "fall outside")]
    [InlineData("""{"x":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}""", 8, "needs 12 bytes")]
    [InlineData("""{"x":{"dtype":"I4","shape":[2],"data_offsets":[0,8]}}""", 8, "not supported")]
    [InlineData("""{"x":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"y":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}""", 8, "overlap")]
    [InlineData("""{"x":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"x":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}""", 8, "appears twice")]
    [InlineData("""{"x":{"dtype":"F32","shape":[-1],"data_offsets":[0,8]}}""", 8, "non-negative")]
    [InlineData("""{"x": not json""", 8, "JSON")]
    [InlineData("""{"__metadata__":{"a":1}}""", 8, "not a string")]
    public void CorruptHeadersAreRejectedWithTheFileAndProblem(string header, int dataBytes, string fragment)
    {
        var path = Raw("bad.safetensors", header, new byte[dataBytes]);
        var ex = Assert.Throws<DataFileException>(() => Safetensors.Load(path));
        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
        Assert.Contains(fragment, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void HeaderLongerThanTheFileIsRejected()
    {
        var path = PathOf("long.safetensors");
        var bytes = new byte[20];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, 1000);
        File.WriteAllBytes(path, bytes);
        var ex = Assert.Throws<DataFileException>(() => Safetensors.Load(path));
        Assert.Contains("header length 1000", ex.Message, StringComparison.Ordinal);
        File.WriteAllBytes(path, [1, 2, 3]);
        Assert.Throws<DataFileException>(() => Safetensors.Load(path));
    }

    [Fact]
    public void TruncatedFileIsRejected()
    {
        var path = PathOf("t.safetensors");
        Safetensors.Save(path, [new("w", Tensor.Ones(10))]);
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..^5]);
        var ex = Assert.Throws<DataFileException>(() => Safetensors.Load(path));
        Assert.Contains("'w'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AFailedWriteLeavesTheOldFileIntact()
    {
        var path = PathOf("keep.bin");
        File.WriteAllText(path, "old");
        Assert.Throws<InvalidOperationException>(() => AtomicFile.Write(path, s =>
        {
            s.WriteByte(1);
            throw new InvalidOperationException("disk full");
        }));
        Assert.Equal("old", File.ReadAllText(path));
        Assert.Single(Directory.GetFiles(_dir));
    }

    [Fact]
    public void CheckpointRoundTrip()
    {
        var path = PathOf("ckpt.safetensors");
        var model = new Backprop.NN.StateDict { ["0.weight"] = Tensor.Ones(2, 2) };
        var optimizer = new Backprop.NN.StateDict { ["step"] = Tensor.Scalar(3f) };
        new Checkpoint(model, optimizer, new Dictionary<string, string> { ["epoch"] = "2" }).Save(path);
        var loaded = Checkpoint.Load(path);
        Assert.Equal([1f, 1f, 1f, 1f], loaded.Model["0.weight"].ToArray());
        Assert.Equal(3f, loaded.Optimizer["step"].Item());
        Assert.Equal("2", loaded.Metadata["epoch"]);
    }
}
