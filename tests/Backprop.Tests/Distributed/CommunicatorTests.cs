using Backprop.Distributed;

namespace Backprop.Tests.Distributed;

public sealed class CommunicatorTests
{
    [Fact]
    public void TheLocalCommunicatorIsOneRankThatKeepsItsValues()
    {
        var local = Communicator.Local;
        Assert.Equal((0, 1), (local.Rank, local.Size));
        float[] values = [1f, 2f];
        local.AllReduce<float>(values, ReduceOp.Mean);
        Assert.Equal([1f, 2f], values);
        var gathered = new float[2];
        local.AllGather<float>(values, gathered);
        Assert.Equal(values, gathered);
        Assert.Throws<ArgumentOutOfRangeException>(() => local.Broadcast<float>(values, 1));
        Assert.Throws<NotSupportedException>(() => local.AllReduce<long>(new long[1], ReduceOp.Mean));
        Assert.Throws<NotSupportedException>(() => local.AllReduce<byte>(new byte[1], ReduceOp.Sum));
        Assert.Throws<ArgumentException>(() => local.AllGather<float>(values, new float[3]));
    }

    [Fact]
    public void TensorsAreReducedBroadcastAndGatheredInPlace()
    {
        var results = ThreadGroup.Run(3, comm =>
        {
            var sum = Tensor.FromArray([comm.Rank + 1f, 10f], 2);
            comm.AllReduce(sum);
            var mean = Tensor.FromArray([comm.Rank + 1.0], 1);
            comm.AllReduce(mean, ReduceOp.Mean);
            var max = Tensor.FromArray([(long)comm.Rank * 7], 1);
            comm.AllReduce(max, ReduceOp.Max);
            var mask = Tensor.FromArray([comm.Rank == 2, comm.Rank != 2], 2);
            comm.Broadcast(mask, root: 2);
            var stacked = comm.AllGather(Tensor.FromArray([(float)comm.Rank, -comm.Rank], 2));
            return (sum.ToArray(), mean.ToArray<double>()[0], max.ToArray<long>()[0], mask.ToArray<bool>(), stacked);
        });
        Assert.All(results, r =>
        {
            Assert.Equal([6f, 30f], r.Item1);
            Assert.Equal(2.0, r.Item2);
            Assert.Equal(14L, r.Item3);
            Assert.Equal([true, false], r.Item4);
            Assert.Equal([3, 2], r.stacked.Shape);
            Assert.Equal([0f, 0f, 1f, -1f, 2f, -2f], r.stacked.ToArray());
        });
    }

    [Fact]
    public void StringsOfDifferentLengthsAreGatheredAndDifferencesNamed()
    {
        var gathered = ThreadGroup.Run(3, comm => comm.AllGather(new string('x', comm.Rank * 3) + "é"));
        Assert.All(gathered, g => Assert.Equal(["é", "xxxé", "xxxxxxé"], g));
        var error = Assert.Throws<AggregateException>(() => ThreadGroup.Run(3, comm =>
        {
            comm.CheckSame("the options", comm.Rank == 2 ? "--lr 0.1" : "--lr 0.05");
            return 0;
        }));
        Assert.All(error.InnerExceptions, e =>
        {
            Assert.IsType<CommunicatorException>(e);
            Assert.Contains("rank 2 differs from rank 0", e.Message, StringComparison.Ordinal);
            Assert.Contains("--lr 0.1", e.Message, StringComparison.Ordinal);
        });
    }

    [Fact]
    public void AnMpiLibraryThatCannotBeLoadedIsNamedWithWhatToInstall()
    {
        var before = Environment.GetEnvironmentVariable("BACKPROP_MPI_LIBRARY");
        Environment.SetEnvironmentVariable("BACKPROP_MPI_LIBRARY", "/nonexistent/libmpi.so.99");
        try
        {
            var error = Assert.Throws<CommunicatorException>(() => Communicator.Mpi());
            Assert.Contains("/nonexistent/libmpi.so.99", error.Message, StringComparison.Ordinal);
            Assert.Contains("apt-get install mpich", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            Environment.SetEnvironmentVariable("BACKPROP_MPI_LIBRARY", before);
        }
    }
}
