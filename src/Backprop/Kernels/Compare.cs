using System.Numerics;

namespace Backprop.Kernels;

/// <summary>The six comparisons, as the comparison ops name them.</summary>
internal enum Comparison
{
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

/// <summary>Broadcasting comparisons into bool storage, and the broadcasting select that Where runs.</summary>
internal static class Compare
{
    /// <summary>d = a (op) b, with a and b broadcast to <paramref name="dShape"/>; NaN compares false except for Ne.</summary>
    public static void Apply<T>(T[] a, int[] aShape, T[] b, int[] bShape, bool[] d, int[] dShape, Comparison op)
        where T : INumber<T>
    {
        var aStrides = Shapes.BroadcastStrides(aShape, dShape);
        var bStrides = Shapes.BroadcastStrides(bShape, dShape);
        var coordinates = new int[dShape.Length];
        for (var k = 0; k < d.Length; k++)
        {
            T x = a[Offset(coordinates, aStrides)], y = b[Offset(coordinates, bStrides)];
            d[k] = op switch
            {
                Comparison.Eq => x == y,
                Comparison.Ne => x != y,
                Comparison.Lt => x < y,
                Comparison.Le => x <= y,
                Comparison.Gt => x > y,
                _ => x >= y,
            };
            Shapes.Increment(coordinates, dShape);
        }
    }

    /// <summary>d = condition ? a : b, all three broadcast to <paramref name="dShape"/>; storage of any one dtype.</summary>
    public static void Select(bool[] condition, int[] cShape, Array a, int[] aShape, Array b, int[] bShape, Array d, int[] dShape)
    {
        switch (d)
        {
            case float[] f: Select(condition, cShape, (float[])a, aShape, (float[])b, bShape, f, dShape); break;
            case double[] f: Select(condition, cShape, (double[])a, aShape, (double[])b, bShape, f, dShape); break;
            case long[] f: Select(condition, cShape, (long[])a, aShape, (long[])b, bShape, f, dShape); break;
            default: Select(condition, cShape, (bool[])a, aShape, (bool[])b, bShape, (bool[])d, dShape); break;
        }
    }

    /// <summary>The flat positions, in a tensor of <paramref name="shape"/>, of the elements where <paramref name="mask"/> (broadcast to it) is true.</summary>
    public static int[] TruePositions(bool[] mask, int[] maskShape, int[] shape)
    {
        var strides = Shapes.BroadcastStrides(maskShape, shape);
        var coordinates = new int[shape.Length];
        var positions = new List<int>();
        var n = Shapes.Numel(shape);
        for (var k = 0; k < n; k++)
        {
            if (mask[Offset(coordinates, strides)])
            {
                positions.Add(k);
            }

            Shapes.Increment(coordinates, shape);
        }

        return [.. positions];
    }

    private static void Select<T>(bool[] condition, int[] cShape, T[] a, int[] aShape, T[] b, int[] bShape, T[] d, int[] dShape)
    {
        var cStrides = Shapes.BroadcastStrides(cShape, dShape);
        var aStrides = Shapes.BroadcastStrides(aShape, dShape);
        var bStrides = Shapes.BroadcastStrides(bShape, dShape);
        var coordinates = new int[dShape.Length];
        for (var k = 0; k < d.Length; k++)
        {
            d[k] = condition[Offset(coordinates, cStrides)] ? a[Offset(coordinates, aStrides)] : b[Offset(coordinates, bStrides)];
            Shapes.Increment(coordinates, dShape);
        }
    }

    private static int Offset(int[] coordinates, int[] strides)
    {
        var offset = 0;
        for (var i = 0; i < coordinates.Length; i++)
        {
            offset += coordinates[i] * strides[i];
        }

        return offset;
    }
}
