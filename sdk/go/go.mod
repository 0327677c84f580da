module github.com/stagdb/stagdb-go

go 1.19
