using Backprop.Kernels;

namespace Backprop.Tests.Kernels;

/// <summary>The strided gather and scatter behind views, against a plain loop over coordinates on awkward layouts.</summary>
public class StridedKernelTests
{
    public static TheoryData<int[], int[], int> Layouts => new()
    {
        { [7], [3], 2 },                 // a step
        { [3, 5], [17, 1], 4 },          // rows of a wider matrix
        { [5, 3], [1, 5], 0 },           // a transposed layout: inner stride 5
        { [2, 3, 4], [40, 9, 2], 1 },    // every dimension strided
        { [1, 1, 9], [0, 100, 1], 5 },   // size-1 dimensions with any stride
        { [4, 0, 3], [3, 3, 1], 0 },     // no elements
        { [], [], 6 },                   // one element
        { [3, 1, 2, 5], [70, 1, 33, 3], 2 },
    };

    [Theory]
    [MemberData(nameof(Layouts))]
    public void GatherAndScatterMatchAReferenceLoop(int[] dims, int[] strides, int offset)
    {
        var span = offset + 1;
        for (var d = 0; d < dims.Length; d++)
        {
            span += Math.Max(dims[d] - 1, 0) * strides[d];
        }

        var storage = KernelData.Uniform(span, 11);
        var expected = new float[Shapes.Numel(dims)];
        var coordinates = new int[dims.Length];
        for (var k = 0; k < expected.Length; k++)
        {
            var p = offset;
            for (var d = 0; d < dims.Length; d++)
            {
                p += coordinates[d] * strides[d];
            }

            expected[k] = storage[p];
            Shapes.Increment(coordinates, dims);
        }

        var gathered = new float[expected.Length];
        Strided.Gather(storage, offset, strides, dims, gathered);
        Assert.Equal(expected, gathered);
        Assert.Equal(expected, Strided.Positions(offset, strides, dims).Select(p => storage[p]).ToArray());

        // Scatter writes exactly those places back and leaves the rest as it was.
        var written = KernelData.Uniform(expected.Length, 12);
        var target = (float[])storage.Clone();
        Strided.Scatter(written, target, offset, strides, dims);
        var reference = (float[])storage.Clone();
        var positions = Strided.Positions(offset, strides, dims);
        for (var k = 0; k < positions.Length; k++)
        {
            reference[positions[k]] = written[k];
        }

        Assert.Equal(reference, target);

        // The other element types take the same path.
        var longs = storage.Select(v => (long)(v * 1000)).ToArray();
        var gatheredLongs = new long[expected.Length];
        Strided.Gather(longs, offset, strides, dims, gatheredLongs);
        Assert.Equal(expected.Select(v => (long)(v * 1000)), gatheredLongs);
    }

    [Fact]
    public void ViewStridesAreRefusedOnlyWhereDimensionsDoNotChain()
    {
        // A column slice [4, 2] of a [4, 6] matrix: its rows cannot merge, its columns can split off ones.
        Assert.Null(Strided.ViewStrides([4, 2], [6, 1], [8]));
        Assert.Equal([6, 1, 1], Strided.ViewStrides([4, 2], [6, 1], [4, 2, 1])!);
        Assert.Equal([12, 6, 1], Strided.ViewStrides([4, 2], [6, 1], [2, 2, 2])!);

        // Rows of a matrix (contiguous) merge freely.
        Assert.Equal([1], Strided.ViewStrides([3, 4], [4, 1], [12])!);
        Assert.True(Strided.IsContiguous([3, 4], [4, 1]));
        Assert.True(Strided.IsContiguous([3, 1, 4], [4, 99, 1]));
        Assert.False(Strided.IsContiguous([4, 2], [6, 1]));
    }
}
